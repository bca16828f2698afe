// Original file: proto/eticket/user/v1/user.proto


export interface SendNotificationRequest {
  'user_id'?: (string);
  'kind'?: (string);
  'message'?: (string);
  'dedupe_key'?: (string);
  'order_id'?: (string);
  'event_id'?: (string);
}

export interface SendNotificationRequest__Output {
  'user_id': (string);
  'kind': (string);
  'message': (string);
  'dedupe_key': (string);
  'order_id': (string);
  'event_id': (string);
}
