// Original file: proto/eticket/user/v1/user.proto


export interface TransactionRef {
  'transaction_id'?: (string);
}

export interface TransactionRef__Output {
  'transaction_id': (string);
}
