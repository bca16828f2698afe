import { registerIdentity } from '@eticket/auth';
import type { Logger } from '@eticket/logging';
import { createHttpApp, createMetricsRegistry, registerStatusRoutes, type HttpApp } from '@eticket/service-kit';
import type pg from 'pg';
import type { EtlConfig } from './config';
import { orderDbCheck, userDbCheck } from './extract/probes';
import { registerReportRoutes } from './http/report-routes';
import { runEtl, type RunRequest, type RunResult } from './jobs/run-etl';
import { etlSettings } from './settings';
import { createWarehousePool, warehouseCheck } from './store/pool';

export interface EtlService {
  readonly http: HttpApp;
  readonly warehouse: pg.Pool;
  /** One run now (the scheduler calls this; the CLI calls runEtl directly). */
  run(request: RunRequest): Promise<RunResult>;
  close(): Promise<void>;
}

/** Wires the service (no listening, no schedule: main.ts does those). */
export function buildEtlService(config: EtlConfig, logger: Logger): EtlService {
  const warehouse = createWarehousePool(config.WAREHOUSE_DB_URL, config.SERVICE_INSTANCE, logger);
  const settings = etlSettings(config);
  const http = createHttpApp({ logger, bodyLimit: 1024, metrics: createMetricsRegistry('etl') });
  registerIdentity(http, config.INTERNAL_AUTH_SECRET);
  registerStatusRoutes(http, 'etl', config.SERVICE_INSTANCE, [
    warehouseCheck(warehouse),
    userDbCheck(config.USER_DB_READ_URL, config.ETL_SOURCE_TIMEOUT_MS),
    orderDbCheck(config.ORDER_MONGO_URL, config.ETL_SOURCE_TIMEOUT_MS),
  ]);
  // The platform runner and Compose poll /health: the reports need the warehouse only.
  http.get('/health', async (_request, reply) => {
    try {
      await warehouse.query('SELECT 1');
      return await reply.send({ status: 'up' });
    } catch {
      return reply.status(503).send({ status: 'down' });
    }
  });
  registerReportRoutes(http, warehouse);
  return {
    http,
    warehouse,
    run: (request) => runEtl({ settings, logger }, request),
    close: async () => {
      await http.close();
      await warehouse.end();
    },
  };
}
