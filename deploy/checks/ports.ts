import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { environmentOf, type ComposeService, type LoadedProject } from './compose-project';

/** Ports the official images listen on without being told (their documented defaults). */
const IMAGE_DEFAULT_PORTS: Record<string, readonly number[]> = {
  'mongo': [27017],
  'postgres': [5432],
  'docker.elastic.co/elasticsearch/elasticsearch': [9200, 9300],
  'docker.elastic.co/kibana/kibana': [5601],
  'docker.elastic.co/logstash/logstash': [9600],
  'prom/prometheus': [9090],
};

const LISTEN_PATTERNS = [
  /(?:0\.0\.0\.0|\*):(\d+)/g, // etcd --listen-*-urls, HAProxy bind, Patroni listen
  /^port (\d+)$/gm, // redis.conf, sentinel.conf
  /\bport => (\d+)/g, // Logstash inputs
];

/** The text of a file or of every file under a folder ('' when absent). */
export function readTree(path: string): string {
  if (!existsSync(path)) return '';
  if (statSync(path).isDirectory()) return readdirSync(path).map((entry) => readTree(resolve(path, entry))).join('\n');
  return readFileSync(path, 'utf8');
}

/** Bind-mounted files and, for an image built from a folder here, that folder: the configuration a container runs with. */
export function configFilesText(project: LoadedProject, service: ComposeService): string {
  const mounted = (service.volumes ?? []).map((volume) => volume.split(':')[0] ?? '').filter((source) => source.startsWith('.'));
  const context = service.build !== undefined && service.build.args?.SERVICE === undefined ? [service.build.context] : [];
  return [...mounted, ...context].map((source) => readTree(resolve(project.dir, source))).join('\n');
}

/** Where each Compose service listens, read from its own environment, command, configuration files or image. */
export function listenPorts(project: LoadedProject): Map<string, Set<number>> {
  const result = new Map<string, Set<number>>();
  for (const [name, service] of Object.entries(project.compose.services)) {
    const ports = new Set<number>();
    const env = environmentOf(service);
    if (service.build?.args?.SERVICE !== undefined) {
      for (const key of ['PORT', 'GRPC_PORT', 'GATEWAY_PORT']) if (env[key] !== undefined) ports.add(Number(env[key]));
    } else {
      const text = [JSON.stringify(service.command ?? []), configFilesText(project, service)].join('\n');
      for (const pattern of LISTEN_PATTERNS) for (const match of text.matchAll(pattern)) ports.add(Number(match[1]));
      const repository = service.image?.replace(/:[^/]+$/, '');
      for (const port of IMAGE_DEFAULT_PORTS[repository ?? ''] ?? []) ports.add(port);
    }
    result.set(name, ports);
  }
  return result;
}

export interface HostPortReference {
  readonly host: string;
  readonly port: number;
  readonly where: string;
}

const REFERENCE_PATTERNS = [
  /(?<![\w.$-])([a-z][a-z0-9-]*):(\d{2,5})\b/g, // host:port in URLs, lists, arguments
  /\bcheck port (\d+)()/g, // HAProxy health-check port: resolved against the server on the same line below
  /\bmonitor \S+ ([a-z][a-z0-9-]*) (\d+)/g, // sentinel monitor <name> <host> <port>
  /"--replicaof","([a-z][a-z0-9-]*)","(\d+)"/g, // redis-server --replicaof <host> <port> in a command
];

const LOCAL = new Set(['localhost']);

/** Every host:port a text names (comments dropped): the references to check against the Compose services. */
export function hostPortReferences(text: string): HostPortReference[] {
  const found: HostPortReference[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/^\s*(#|\/\/).*$/, '');
    const server = /\bserver \S+ ([a-z][a-z0-9-]*):\d+ .*\bcheck port (\d+)/.exec(line);
    if (server) found.push({ host: server[1] ?? '', port: Number(server[2]), where: line.trim() });
    for (const pattern of REFERENCE_PATTERNS) {
      for (const match of line.matchAll(pattern)) {
        if (match[2] === '' || match[2] === undefined) continue;
        const host = match[1] ?? '';
        if (LOCAL.has(host)) continue;
        found.push({ host, port: Number(match[2]), where: line.trim().slice(0, 160) });
      }
    }
  }
  return found;
}
