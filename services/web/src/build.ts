// `npm run build -w services/web` (and `npm start`, before the platform):
// builds the browser client into services/web/dist, or says it is current.
//   tsx services/web/src/build.ts [--force]
import { buildClient } from './client-build';
import { loadConfig } from './config';

const config = loadConfig();
const outcome = await buildClient(config.WEB_DIST_DIR, { force: process.argv.includes('--force') });
process.stdout.write(`[web] client ${outcome.built ? `built in ${(outcome.ms / 1000).toFixed(1)} s` : 'is up to date'}: ${config.WEB_DIST_DIR}\n`);
