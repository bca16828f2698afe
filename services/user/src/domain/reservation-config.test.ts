import { ConfigError } from '@eticket/config';
import { describe, expect, it } from 'vitest';
import { loadReservationConfig } from './reservation-config';

describe('the seat-reservation participant config', () => {
  it('leaves the coordinator address unset when the environment does not name one, so discovery decides', () => {
    expect(loadReservationConfig({}).ORDER_SERVICE_GRPC_ADDR).toBeUndefined();
    expect(loadReservationConfig({ ORDER_SERVICE_GRPC_ADDR: '' }).ORDER_SERVICE_GRPC_ADDR).toBeUndefined();
  });

  it('takes an explicit coordinator address as given', () => {
    expect(loadReservationConfig({ ORDER_SERVICE_GRPC_ADDR: 'order-1:21211' }).ORDER_SERVICE_GRPC_ADDR).toBe('order-1:21211');
  });

  it('refuses an address without a port at start-up', () => {
    expect(() => loadReservationConfig({ ORDER_SERVICE_GRPC_ADDR: 'order-1' })).toThrow(ConfigError);
  });
});
