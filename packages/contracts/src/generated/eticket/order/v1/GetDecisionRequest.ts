// Original file: proto/eticket/order/v1/order.proto


export interface GetDecisionRequest {
  'transaction_id'?: (string);
}

export interface GetDecisionRequest__Output {
  'transaction_id': (string);
}
