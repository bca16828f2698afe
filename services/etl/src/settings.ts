import type { EtlConfig } from './config';
import type { EtlSettings } from './jobs/run-etl';

/** The run's settings from the validated environment (shared by the service and the CLI). */
export function etlSettings(config: Pick<EtlConfig, 'WAREHOUSE_DB_URL' | 'USER_DB_READ_URL' | 'ORDER_MONGO_URL' | 'SERVICE_INSTANCE' | 'ETL_OVERLAP_SECONDS' | 'ETL_BATCH_SIZE' | 'ETL_SOURCE_TIMEOUT_MS' | 'ETL_REQUIRE_STANDBY'>): EtlSettings {
  return {
    warehouseUrl: config.WAREHOUSE_DB_URL,
    userDbUrl: config.USER_DB_READ_URL,
    orderDbUrl: config.ORDER_MONGO_URL,
    instance: config.SERVICE_INSTANCE,
    overlapMs: config.ETL_OVERLAP_SECONDS * 1000,
    batchSize: config.ETL_BATCH_SIZE,
    sourceTimeoutMs: config.ETL_SOURCE_TIMEOUT_MS,
    requireStandby: config.ETL_REQUIRE_STANDBY,
  };
}
