import { DiscoveryEnv, loadDiscoveryConfig } from '@eticket/discovery';
import { loadShippingConfig, ShippingEnv } from '@eticket/logging';
import type { TObject } from '@sinclair/typebox';
import { EtlEnv, loadConfig as loadEtlConfig } from '../../services/etl/src/config';
import { GatewayEnv, loadConfig as loadGatewayConfig } from '../../services/gateway/src/config';
import { loadOrderConfig, OrderConfigSchema } from '../../services/order/src/config';
import { loadConfig as loadUserConfig, UserServiceEnv } from '../../services/user/src/config';
import { loadReservationConfig, ReservationEnv } from '../../services/user/src/domain/reservation-config';

type Environment = Readonly<Record<string, string | undefined>>;

export interface ServiceConfigSpec {
  /** What the service's main.ts calls on process.env at start-up, in order. */
  readonly loaders: ReadonlyArray<(env: Environment) => unknown>;
  /** Every schema those loaders validate against: the variables the service reads. */
  readonly schemas: readonly TObject[];
}

/** Per application service, its own configuration parsers (the ones its main.ts runs). */
export const SERVICE_CONFIGS: Record<'gateway' | 'user' | 'order' | 'etl', ServiceConfigSpec> = {
  gateway: { loaders: [loadGatewayConfig, loadDiscoveryConfig, loadShippingConfig], schemas: [GatewayEnv, DiscoveryEnv, ShippingEnv] },
  user: {
    loaders: [loadUserConfig, loadReservationConfig, loadDiscoveryConfig, loadShippingConfig],
    schemas: [UserServiceEnv, ReservationEnv, DiscoveryEnv, ShippingEnv],
  },
  order: { loaders: [loadOrderConfig, loadDiscoveryConfig, loadShippingConfig], schemas: [OrderConfigSchema, DiscoveryEnv, ShippingEnv] },
  etl: { loaders: [loadEtlConfig, loadDiscoveryConfig, loadShippingConfig], schemas: [EtlEnv, DiscoveryEnv, ShippingEnv] },
};
