// The local search server's jars and launcher, built once and cached in
// ~/.cache/e-ticket/opensearch (ETICKET_CACHE_DIR overrides ~/.cache/e-ticket):
// `mvn dependency:copy-dependencies` on platform/search/pom.xml (about 45 MB
// from Maven Central the first time; Maven's own ~/.m2 cache makes a rebuild
// offline) and `javac` of platform/search/EmbeddedSearch.java. A stamp (the
// hash of both files) says whether the cache is current.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../paths';

const run = promisify(execFile);

export interface SearchInstall {
  /** The java class path: the launcher's classes and every jar. */
  readonly classpath: string;
  /** True when this call built it (downloaded or copied the jars and compiled). */
  readonly built: boolean;
}

export function searchCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.ETICKET_CACHE_DIR ?? join(homedir(), '.cache', 'e-ticket'), 'opensearch');
}

/** Builds the cache when it is missing or stale; fails with what to install when Maven or a JDK is absent. */
export async function ensureSearchInstalled(log: (line: string) => void = () => undefined, env: NodeJS.ProcessEnv = process.env): Promise<SearchInstall> {
  const sources = join(repoRoot, 'platform', 'search');
  const pom = join(sources, 'pom.xml');
  const launcher = join(sources, 'EmbeddedSearch.java');
  const stamp = createHash('sha256').update(readFileSync(pom)).update(readFileSync(launcher)).digest('hex');
  const dir = searchCacheDir(env);
  const lib = join(dir, 'lib');
  const classes = join(dir, 'classes');
  const classpath = `${classes}:${lib}/*`;
  const stampFile = join(dir, 'stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp && existsSync(join(classes, 'EmbeddedSearch.class'))) {
    return { classpath, built: false };
  }
  log(`building the local search server in ${dir} (OpenSearch 2.19.6 jars from Maven Central, ~45 MB the first time)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(classes, { recursive: true });
  try {
    await run('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`, '-DincludeScope=runtime'], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    throw new Error(`could not fetch the OpenSearch jars with Maven (apt-get install maven openjdk-17-jdk-headless): ${error instanceof Error ? error.message : String(error)}`);
  }
  const jars = readdirSync(lib).filter((file) => file.endsWith('.jar'));
  if (!jars.some((jar) => jar.startsWith('opensearch-2.'))) throw new Error(`Maven copied no OpenSearch jar into ${lib}`);
  await run('javac', ['-cp', `${lib}/*`, '-d', classes, launcher]);
  writeFileSync(stampFile, `${stamp}\n`);
  log(`search server built: ${jars.length} jars`);
  return { classpath, built: true };
}
