import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'vite';
import { CLIENT_DIR } from './paths';
import { viteConfig } from './vite-config';

const STAMP = '.source-hash';

/** Every file the client is built from (tests excluded), in a stable order. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
      return entry.name.endsWith('.test.ts') ? [] : [path];
    });
}

/** A hash of the client's sources and of the build configuration: the build is current when its stamp matches. */
export function sourceHash(): string {
  const hash = createHash('sha256');
  const inputs = [...sourceFiles(CLIENT_DIR), new URL('./vite-config.ts', import.meta.url).pathname];
  for (const file of inputs) hash.update(relative(CLIENT_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

export interface BuildOutcome {
  readonly built: boolean;
  readonly ms: number;
}

/**
 * Builds the client into `outDir` unless the build there was made from the
 * same sources (a content hash, not file times: a fresh clone or a checkout
 * touches every file). `npm start` and the browser tests call this, so a
 * fresh clone works and an unchanged client costs nothing.
 */
export async function buildClient(outDir: string, options: { force?: boolean } = {}): Promise<BuildOutcome> {
  const started = Date.now();
  const hash = sourceHash();
  const stamp = join(outDir, STAMP);
  const current = existsSync(join(outDir, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
  if (current && options.force !== true) return { built: false, ms: Date.now() - started };
  await build(viteConfig(outDir));
  writeFileSync(stamp, hash);
  return { built: true, ms: Date.now() - started };
}
