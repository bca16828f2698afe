// Original file: proto/eticket/order/v1/order.proto

import type { Decision as _eticket_order_v1_Decision, Decision__Output as _eticket_order_v1_Decision__Output } from '../../../eticket/order/v1/Decision';

export interface GetDecisionResponse {
  'transaction_id'?: (string);
  'decision'?: (_eticket_order_v1_Decision);
}

export interface GetDecisionResponse__Output {
  'transaction_id': (string);
  'decision': (_eticket_order_v1_Decision__Output);
}
