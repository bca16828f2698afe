// npx tsx services/etl/src/cli.ts run [--full]   one ETL run now (waits for nothing: skipped if another instance runs)
//                                  migrate        apply the warehouse migrations only
// Reads the same environment as the service (WAREHOUSE_DB_URL, USER_DB_READ_URL,
// ORDER_MONGO_URL, ETL_*; see src/config.ts). Logs go to stderr, the run's
// summary to stdout. Exit status: 0 succeeded, 1 failed, 75 skipped.
import { parseArgs } from 'node:util';
import { createLogger } from '@eticket/logging';
import { destination } from 'pino';
import { loadJobConfig } from './config';
import { runEtl } from './jobs/run-etl';
import { formatRun } from './report-run';
import { etlSettings } from './settings';
import { migrate } from './store/migrate';

const USAGE = 'usage: tsx services/etl/src/cli.ts <run [--full] | migrate>';
const EXIT_SKIPPED = 75;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { full: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  const command = positionals[0];
  if (values.help || (command !== 'run' && command !== 'migrate')) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const config = loadJobConfig();
  const logger = createLogger({ service: 'etl', instance: `${config.SERVICE_INSTANCE}-cli`, level: config.LOG_LEVEL, destination: destination(2) });
  await migrate(config.WAREHOUSE_DB_URL, logger);
  if (command === 'migrate') return 0;
  const result = await runEtl({ settings: etlSettings({ ...config, SERVICE_INSTANCE: `${config.SERVICE_INSTANCE}-cli` }), logger }, { trigger: 'manual', full: values.full });
  process.stdout.write(`${formatRun(result)}\n`);
  return result.status === 'succeeded' ? 0 : result.status === 'skipped' ? EXIT_SKIPPED : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
