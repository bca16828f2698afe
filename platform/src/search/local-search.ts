// `up --with-search`: the local search server under the platform's
// supervisor (data in <data-dir>/search) and the log collector in the CLI's
// process, so every service started by the runner ships its logs there
// (LOGSTASH_URL). Ports: base + 920 (search HTTP), + 921 (its transport),
// + 922 (the collector, Logstash's tcp/json_lines stand-in).
import { join } from 'node:path';
import type { PlatformHandle } from '../index';
import { ensureSearchInstalled } from './install';
import { LogCollector } from './log-collector';
import { searchSpawnSpec, waitForSearch } from './server';

export interface LocalSearch {
  readonly searchUrl: string;
  /** What services get as LOGSTASH_URL. */
  readonly logstashUrl: string;
  readonly collector: LogCollector;
  /** Stops the collector; the search process stops with the platform. */
  close(): Promise<void>;
}

export async function startLocalSearch(handle: PlatformHandle, basePort: number, log: (line: string) => void): Promise<LocalSearch> {
  const { classpath } = await ensureSearchInstalled(log);
  const port = basePort + 920;
  const process = handle.spawn(searchSpawnSpec(classpath, join(handle.dataDir, 'search'), port));
  const searchUrl = `http://127.0.0.1:${port}`;
  log(`search server (OpenSearch 2.19.6) starting on ${searchUrl}`);
  let exited = false;
  void process.exited.then(() => {
    exited = true;
  });
  await waitForSearch(searchUrl, 180_000, () => !exited);
  const collector = await LogCollector.start(searchUrl, basePort + 922);
  log(`log collector on ${collector.url} → ${searchUrl}/eticket-logs-*`);
  return { searchUrl, logstashUrl: collector.url, collector, close: () => collector.close() };
}
