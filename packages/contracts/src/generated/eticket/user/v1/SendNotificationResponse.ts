// Original file: proto/eticket/user/v1/user.proto

import type { Long } from '@grpc/proto-loader';

export interface SendNotificationResponse {
  'notification_id'?: (string);
  'sequence'?: (number | string | Long);
}

export interface SendNotificationResponse__Output {
  'notification_id': (string);
  'sequence': (string);
}
