// Original file: proto/eticket/user/v1/user.proto

import type { ParticipantState as _eticket_user_v1_ParticipantState, ParticipantState__Output as _eticket_user_v1_ParticipantState__Output } from '../../../eticket/user/v1/ParticipantState';

export interface ParticipantAck {
  'transaction_id'?: (string);
  'state'?: (_eticket_user_v1_ParticipantState);
}

export interface ParticipantAck__Output {
  'transaction_id': (string);
  'state': (_eticket_user_v1_ParticipantState__Output);
}
