// The images' HEALTHCHECK (compiled to /app/healthcheck.mjs by deploy/bundle.ts):
// GET the service's health path on its own port, both read from target.json
// beside it; healthy only on a 200 within 2 s. Node's fetch, because the slim
// image has no curl or wget.
import { readFileSync } from 'node:fs';

interface Target {
  readonly healthPath: string;
  readonly portVariable: string;
}

const target = JSON.parse(readFileSync(new URL('./target.json', import.meta.url), 'utf8')) as Target;
const port = process.env[target.portVariable] ?? process.env.PORT;
try {
  const response = await fetch(`http://127.0.0.1:${port}${target.healthPath}`, { signal: AbortSignal.timeout(2_000) });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
