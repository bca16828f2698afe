import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

interface Manifest {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/** The folder `name` resolves to from `fromDir`, as Node looks it up (nearest node_modules upwards), if installed. */
function locate(name: string, fromDir: string, root: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/**
 * Every installed package folder (relative to `root`) that `names` need at
 * run time: the packages themselves plus their dependencies and installed
 * optional dependencies, transitively, each resolved the way Node would from
 * its dependant (so a nested node_modules copy is found). Written by hand
 * because npm has no "install only this closure from the lockfile" command;
 * copying what `npm ci` installed keeps the lockfile's exact versions.
 */
export function runtimeClosure(root: string, names: Iterable<string>): string[] {
  const found = new Set<string>();
  const visit = (name: string, fromDir: string, optional: boolean): void => {
    const dir = locate(name, fromDir, root);
    if (dir === undefined) {
      if (optional) return;
      throw new Error(`${name} is needed at run time but is not installed (run npm ci)`);
    }
    const rel = relative(root, dir).split(sep).join('/');
    if (found.has(rel)) return;
    found.add(rel);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir, false);
    // Platform-specific builds (argon2's .node file) are optional dependencies; only the installed one exists.
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const name of names) visit(name, root, false);
  return [...found].sort();
}
