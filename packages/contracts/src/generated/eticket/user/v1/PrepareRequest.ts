// Original file: proto/eticket/user/v1/user.proto


export interface PrepareRequest {
  'transaction_id'?: (string);
  'order_id'?: (string);
  'event_id'?: (string);
  'user_id'?: (string);
  'quantity'?: (number);
}

export interface PrepareRequest__Output {
  'transaction_id': (string);
  'order_id': (string);
  'event_id': (string);
  'user_id': (string);
  'quantity': (number);
}
