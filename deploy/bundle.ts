// npx tsx deploy/bundle.ts <service> [--out DIR]
// Builds one service's runtime tree (see deploy/bundle/build.ts) into DIR
// (default dist/images/<service>); the Dockerfile's build stage runs exactly this.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleService } from './bundle/build';
import { isServiceName, SERVICE_TARGETS } from './bundle/targets';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
const service = positionals[0] ?? '';
if (!isServiceName(service)) {
  process.stderr.write(`usage: tsx deploy/bundle.ts <${Object.keys(SERVICE_TARGETS).join('|')}> [--out DIR]\n`);
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const result = await bundleService(service, root, values.out ?? resolve(root, 'dist', 'images', service));
process.stdout.write(`${service}: ${result.bundles.join(', ')}; assets ${result.assets.join(', ')}; ${result.packages.length} shipped package folders -> ${result.outDir}\n`);
