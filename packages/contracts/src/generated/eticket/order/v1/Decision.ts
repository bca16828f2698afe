// Original file: proto/eticket/order/v1/order.proto

export const Decision = {
  DECISION_UNSPECIFIED: 'DECISION_UNSPECIFIED',
  DECISION_COMMIT: 'DECISION_COMMIT',
  DECISION_ABORT: 'DECISION_ABORT',
  DECISION_PENDING: 'DECISION_PENDING',
} as const;

export type Decision =
  | 'DECISION_UNSPECIFIED'
  | 0
  | 'DECISION_COMMIT'
  | 1
  | 'DECISION_ABORT'
  | 2
  | 'DECISION_PENDING'
  | 3

export type Decision__Output = typeof Decision[keyof typeof Decision]
