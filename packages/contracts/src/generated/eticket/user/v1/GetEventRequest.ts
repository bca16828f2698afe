// Original file: proto/eticket/user/v1/user.proto


export interface GetEventRequest {
  'event_id'?: (string);
}

export interface GetEventRequest__Output {
  'event_id': (string);
}
