// Original file: proto/eticket/user/v1/user.proto


export interface SendNotificationResponse {
  'notification_id'?: (string);
}

export interface SendNotificationResponse__Output {
  'notification_id': (string);
}
