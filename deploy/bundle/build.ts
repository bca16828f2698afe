import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { relocateImportMetaUrl } from './relocate-plugin';
import { runtimeClosure } from './runtime-deps';
import { OPTIONAL_ABSENT, SERVICE_TARGETS, SHIPPED_PACKAGES, type ServiceName, type ServiceTarget } from './targets';

/** The oldest Node.js the root package.json's engines allow; the images run this major version. */
export const NODE_TARGET = 'node20';

export interface BundleResult {
  readonly service: ServiceName;
  readonly outDir: string;
  /** dist/<name>.mjs for each entry. */
  readonly bundles: readonly string[];
  /** Our files read at run time (protos, migrations, package.json), relative to the root. */
  readonly assets: readonly string[];
  /** Installed package folders shipped beside the bundle, relative to the root. */
  readonly packages: readonly string[];
}

const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0] ?? '');

/** The packages the bundles import at run time that are not built into Node. */
function externalPackages(metafile: Metafile): Set<string> {
  const names = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (imported.external && !isBuiltin(imported.path)) names.add(packageName(imported.path));
    }
  }
  return names;
}

/** Skips what no running process reads: type declarations, docs, source maps of dependencies. */
const runtimeFile = (path: string) => statSync(path).isDirectory() || !/\.(d\.[cm]?ts|md|markdown|map)$/i.test(path);

/**
 * Builds the runtime tree of one service's image into `outDir`, laid out like
 * the repository so the relocated `import.meta.url`s resolve:
 *   dist/<entry>.mjs (+ .map)      the service bundled with esbuild
 *   services/..., packages/...      the files our code reads (found by the plugin)
 *   node_modules/...                the few packages that cannot be bundled, with their dependencies
 *   target.json, healthcheck.mjs (deploy/runtime/healthcheck.ts), docker-entrypoint.sh
 * Used by the Dockerfile (`tsx deploy/bundle.ts <service> --out /out`) and by deploy/bundle.test.ts.
 */
export async function bundleService(service: ServiceName, root: string, outDir: string): Promise<BundleResult> {
  const target: ServiceTarget = SERVICE_TARGETS[service];
  if (target.prebuild !== undefined) execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [target.prebuild], { cwd: root, stdio: 'inherit' });
  const out = resolve(outDir);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const assets = new Set<string>();
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.entries(target.entries).map(([name, entry]) => ({ in: join(root, entry), out: name })),
    outdir: join(out, 'dist'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    external: [...SHIPPED_PACKAGES, ...OPTIONAL_ABSENT],
    // CommonJS dependencies call require(); an ES module has none of its own.
    banner: { js: `import { createRequire as __eticketCreateRequire } from 'node:module';\nconst require = __eticketCreateRequire(import.meta.url);` },
    plugins: [relocateImportMetaUrl(root, join(root, 'dist'), assets)],
  });
  const shipped = new Set<string>(SHIPPED_PACKAGES);
  const absent = new Set<string>(OPTIONAL_ABSENT);
  const imported = externalPackages(result.metafile);
  const unexpected = [...imported].filter((name) => !shipped.has(name) && !absent.has(name));
  if (unexpected.length > 0) throw new Error(`${service}: external imports that would be missing at run time: ${unexpected.join(', ')}`);
  const packages = runtimeClosure(root, [...imported].filter((name) => shipped.has(name)));
  for (const dir of packages) cpSync(join(root, dir), join(out, dir), { recursive: true, filter: runtimeFile, dereference: true });
  for (const omitted of target.omitAssets ?? []) assets.delete(omitted);
  for (const asset of assets) {
    if (!existsSync(join(root, asset))) throw new Error(`${service}: its code reads ${asset}, which does not exist`);
    cpSync(join(root, asset), join(out, asset), { recursive: true });
  }
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'deploy', 'runtime', 'healthcheck.ts')],
    outfile: join(out, 'healthcheck.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    logLevel: 'silent',
  });
  cpSync(join(root, 'deploy', 'runtime', 'docker-entrypoint.sh'), join(out, 'docker-entrypoint.sh'));
  writeFileSync(join(out, 'target.json'), `${JSON.stringify({ service, healthPath: target.healthPath, portVariable: target.portVariable })}\n`);
  return {
    service,
    outDir: out,
    bundles: Object.keys(target.entries).map((name) => `dist/${name}.mjs`),
    assets: [...assets].sort(),
    packages,
  };
}
