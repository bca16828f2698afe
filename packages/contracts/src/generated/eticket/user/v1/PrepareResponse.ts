// Original file: proto/eticket/user/v1/user.proto

import type { Vote as _eticket_user_v1_Vote, Vote__Output as _eticket_user_v1_Vote__Output } from '../../../eticket/user/v1/Vote';
import type { Long } from '@grpc/proto-loader';

export interface PrepareResponse {
  'vote'?: (_eticket_user_v1_Vote);
  'reason_code'?: (string);
  'reason'?: (string);
  'unit_price_minor'?: (number | string | Long);
  'currency'?: (string);
  'available_seats'?: (number);
}

export interface PrepareResponse__Output {
  'vote': (_eticket_user_v1_Vote__Output);
  'reason_code': (string);
  'reason': (string);
  'unit_price_minor': (string);
  'currency': (string);
  'available_seats': (number);
}
