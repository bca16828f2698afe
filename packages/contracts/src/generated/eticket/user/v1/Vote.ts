// Original file: proto/eticket/user/v1/user.proto

export const Vote = {
  VOTE_UNSPECIFIED: 'VOTE_UNSPECIFIED',
  VOTE_COMMIT: 'VOTE_COMMIT',
  VOTE_ABORT: 'VOTE_ABORT',
} as const;

export type Vote =
  | 'VOTE_UNSPECIFIED'
  | 0
  | 'VOTE_COMMIT'
  | 1
  | 'VOTE_ABORT'
  | 2

export type Vote__Output = typeof Vote[keyof typeof Vote]
