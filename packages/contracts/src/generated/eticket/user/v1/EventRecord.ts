// Original file: proto/eticket/user/v1/user.proto

import type { Long } from '@grpc/proto-loader';

export interface EventRecord {
  'id'?: (string);
  'name'?: (string);
  'date_time'?: (string);
  'price_minor'?: (number | string | Long);
  'currency'?: (string);
  'total_seats'?: (number);
  'available_seats'?: (number);
  'organizer_id'?: (string);
}

export interface EventRecord__Output {
  'id': (string);
  'name': (string);
  'date_time': (string);
  'price_minor': (string);
  'currency': (string);
  'total_seats': (number);
  'available_seats': (number);
  'organizer_id': (string);
}
