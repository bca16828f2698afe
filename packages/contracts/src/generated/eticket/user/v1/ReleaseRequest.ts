// Original file: proto/eticket/user/v1/user.proto


export interface ReleaseRequest {
  'transaction_id'?: (string);
  'reason'?: (string);
}

export interface ReleaseRequest__Output {
  'transaction_id': (string);
  'reason': (string);
}
