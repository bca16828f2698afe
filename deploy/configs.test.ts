import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ComponentContext } from '../platform/src/components/context';
import { haproxyConfig } from '../platform/src/components/haproxy';
import { CLUSTER_SETTINGS } from '../platform/src/components/patroni';
import { CLUSTER_NODE_TIMEOUT_MS } from '../platform/src/components/redis-cluster';
import { RING_SHARDS, SENTINEL_DOWN_AFTER_MS, SENTINEL_FAILOVER_TIMEOUT_MS, SENTINEL_QUORUM } from '../platform/src/components/redis-sentinel-ring';
import { portsFor } from '../platform/src/ports';
import { environmentOf } from './checks/compose-project';
import { APP_SERVICES, exampleProject, ROOT } from './checks/fixtures';
import { DATA_VIEW_ID, PANELS, savedObjects, toNdjson } from './kibana/dashboard';

const project = exampleProject();
const services = project.compose.services;
const deployFile = (...path: string[]) => readFileSync(resolve(ROOT, 'deploy', ...path), 'utf8');
const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));

describe('Patroni (deploy/patroni/patroni.yml)', () => {
  const config = parse(deployFile('patroni', 'patroni.yml')) as { bootstrap: { dcs: unknown }; postgresql: Record<string, unknown>; scope: string };

  it('bootstraps the cluster with the local platform\'s settings (failover timing, synchronous mode, max_prepared_transactions for 2PC)', () => {
    expect(config.bootstrap.dcs).toEqual(CLUSTER_SETTINGS);
  });

  it('passes patroni --validate-config with each node\'s Compose environment (only the etcd names, which resolve in Docker\'s DNS, fail here)', async () => {
    for (const name of ['patroni-1', 'patroni-2', 'patroni-3']) {
      const env = { PATH: process.env.PATH ?? '', ...environmentOf(services[name] ?? {}) };
      const output = await promisify(execFile)('patroni', ['--validate-config', resolve(ROOT, 'deploy', 'patroni', 'patroni.yml')], { env })
        .then(({ stdout, stderr }) => stdout + stderr, (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`);
      const problems = output.split('\n').filter((line) => line.trim() !== '');
      // The Compose host names do not resolve outside Compose; every other complaint is a real one.
      const unresolvedEtcd = /^etcd3\.hosts\.\d etcd-\d:2379 didn't pass validation: .*(Name or service not known|name resolution)/;
      expect(problems.filter((line) => !unresolvedEtcd.test(line)), name).toEqual([]);
    }
  }, 60_000);

  it('keeps the platform\'s local safety settings: an old primary that cannot be rewound is re-cloned', () => {
    expect(config.postgresql.remove_data_directory_on_rewind_failure).toBe(true);
    expect(config.postgresql.remove_data_directory_on_diverged_timelines).toBe(true);
  });
});

describe('HAProxy (deploy/haproxy/haproxy.cfg)', () => {
  const cfg = deployFile('haproxy', 'haproxy.cfg');

  /** The platform's configuration with Compose's addresses in place of loopback ports. */
  function platformConfigForCompose(): string {
    const ports = portsFor(21_000);
    let text = haproxyConfig({ ports } as unknown as ComponentContext);
    ports.pgNodes.forEach((port, i) => {
      text = text.replace(new RegExp(`127\\.0\\.0\\.1:${port} check port ${ports.patroniRest[i]}`, 'g'), `patroni-${i + 1}:5432 check port 8008`);
    });
    return text
      .replace(`bind 127.0.0.1:${ports.haproxyWrite}`, 'bind *:5000')
      .replace(`bind 127.0.0.1:${ports.haproxyRead}`, 'bind *:5001')
      .replace(`bind 127.0.0.1:${ports.haproxyStats}`, 'bind *:7000');
  }

  it('has every line of the local platform\'s configuration, in the same section (Compose only adds DNS and a health URI)', () => {
    const sections = (text: string) => {
      const map = new Map<string, string[]>();
      let current = '';
      for (const line of text.split('\n')) {
        if (/^\S/.test(line)) current = line.trim();
        else if (line.trim() !== '' && !line.trim().startsWith('#')) map.set(current, [...(map.get(current) ?? []), line.trim()]);
      }
      return map;
    };
    const ours = sections(cfg);
    const missing: string[] = [];
    for (const [section, expected] of sections(platformConfigForCompose())) {
      const have = ours.get(section) ?? [];
      for (const line of expected) if (!have.some((candidate) => candidate === line || candidate.startsWith(`${line} `))) missing.push(`${section}: ${line}`);
    }
    expect(missing).toEqual([]);
  });

  it('is valid for haproxy -c (names not resolvable here are tolerated: init-addr none)', () => {
    const output = execFileSync('haproxy', ['-c', '-f', resolve(ROOT, 'deploy', 'haproxy', 'haproxy.cfg')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(output).toMatch(/Configuration file is valid/);
  });
});

describe('Redis (deploy/redis)', () => {
  it('cluster nodes use the platform\'s node timeout and do not demand full slot coverage', () => {
    const conf = lines(deployFile('redis', 'cluster.conf'));
    expect(conf).toContain(`cluster-node-timeout ${CLUSTER_NODE_TIMEOUT_MS}`);
    expect(conf).toEqual(expect.arrayContaining(['cluster-enabled yes', 'cluster-require-full-coverage no', 'appendonly yes', 'cluster-preferred-endpoint-type hostname']));
  });

  it('the cluster job forms the cluster from exactly the nodes the services are given', () => {
    const nodes = environmentOf(services.gateway ?? {}).REDIS_CLUSTER_NODES?.split(',').map((node) => node.replace(/:6379$/, ''));
    expect(services['redis-cluster-init']?.command).toEqual(nodes);
    expect(nodes).toEqual(['redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'redis-6']);
  });

  it('sentinels watch every ring shard the services name, with the platform\'s quorum and timings', () => {
    const conf = lines(deployFile('redis', 'sentinel.conf'));
    const shards = environmentOf(services.gateway ?? {}).REDIS_RING_SHARDS?.split(',');
    expect(shards).toEqual([...RING_SHARDS]);
    RING_SHARDS.forEach((shard, i) => {
      expect(conf).toContain(`sentinel monitor ${shard} redis-ring-${i}-a 6379 ${SENTINEL_QUORUM}`);
      expect(conf).toContain(`sentinel down-after-milliseconds ${shard} ${SENTINEL_DOWN_AFTER_MS}`);
      expect(conf).toContain(`sentinel failover-timeout ${shard} ${SENTINEL_FAILOVER_TIMEOUT_MS}`);
    });
  });
});

describe('MongoDB (deploy/mongo/init-replica-set.js)', () => {
  it('initiates the replica set the order service\'s URL names, with every mongod service as a member', () => {
    const script = deployFile('mongo', 'init-replica-set.js');
    // A seed list is no WHATWG URL: mongodb://host:port,host:port/db?options.
    const [, hosts, query] = /^mongodb:\/\/([^/]+)\/[^?]*\?(.*)$/.exec(environmentOf(services.order ?? {}).ORDER_MONGO_URL ?? '') ?? [];
    const members = Object.keys(services).filter((name) => /^mongo-\d$/.test(name)).map((name) => `${name}:27017`);
    expect(script).toContain(`[${members.map((member) => `'${member}'`).join(', ')}]`);
    expect(script).toContain(`_id: '${new URLSearchParams(query).get('replicaSet')}'`);
    expect(hosts).toBe(members.join(','));
  });
});

describe('Prometheus (deploy/prometheus/prometheus.yml)', () => {
  const config = parse(deployFile('prometheus', 'prometheus.yml')) as { scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; port: number }> }> };

  it('scrapes every application service by its Compose name on its HTTP port (all replicas, through DNS)', () => {
    for (const name of APP_SERVICES) {
      const env = environmentOf(services[name] ?? {});
      const job = config.scrape_configs.find((candidate) => candidate.job_name === name);
      expect(job?.dns_sd_configs?.[0]?.names, name).toEqual([name]);
      expect(job?.dns_sd_configs?.[0]?.port, name).toBe(Number(env.GATEWAY_PORT ?? env.PORT));
    }
  });
});

describe('logs: Logstash and Kibana', () => {
  const pipeline = deployFile('logstash', 'pipeline', 'eticket.conf');
  const template = JSON.parse(deployFile('logstash', 'eticket-logs-template.json')) as { index_patterns: string[]; template: { mappings: { properties: Record<string, unknown> } } };

  it('Logstash takes ECS JSON lines over TCP where every service ships them (LOGSTASH_URL, validated by the services\' own shipping schema)', () => {
    expect(pipeline).toMatch(/tcp \{\s*port => 5000\s*codec => json_lines/);
    // The web service (static files) logs to stdout only: its main.ts starts no shipper.
    const shipping = APP_SERVICES.filter((service) => service !== 'web');
    for (const name of shipping) expect(environmentOf(services[name] ?? {}).LOGSTASH_URL, name).toBe('tcp://logstash:5000');
  });

  it('writes to the indices the index template and the Kibana data view cover', () => {
    const index = /index => "([^"%]+)%/.exec(pipeline)?.[1];
    expect(template.index_patterns).toEqual([`${index}*`]);
    const dataView = savedObjects().find((object) => object.id === DATA_VIEW_ID) as { attributes: { title: string } };
    expect(dataView.attributes.title).toBe(`${index}*`);
  });

  it('the committed eticket.ndjson is what deploy/kibana/dashboard.ts generates', () => {
    expect(deployFile('kibana', 'eticket.ndjson')).toBe(toNdjson(savedObjects()));
  });

  it('every field a dashboard panel splits or measures by is mapped as aggregatable in the index template', () => {
    const mapped = (path: string): boolean => {
      if (path === 'message.keyword') return true;
      let node: unknown = { properties: template.template.mappings.properties };
      for (const part of path.split('.')) node = (node as { properties?: Record<string, unknown> }).properties?.[part];
      const type = (node as { type?: string } | undefined)?.type;
      return type === 'keyword' || type === 'float' || type === 'integer' || type === 'long';
    };
    for (const panel of PANELS) {
      expect(mapped(panel.splitBy), panel.splitBy).toBe(true);
      if (panel.metric.field !== undefined) expect(mapped(panel.metric.field), panel.metric.field).toBe(true);
    }
  });

  it('the dashboard shows every visualization, each over the data view', () => {
    const objects = savedObjects() as Array<{ id: string; type: string; references: Array<{ id: string; type: string }> }>;
    const dashboard = objects.find((object) => object.type === 'dashboard');
    const visualizations = objects.filter((object) => object.type === 'visualization');
    expect(dashboard?.references.map((reference) => reference.id).sort()).toEqual(visualizations.map((object) => object.id).sort());
    for (const visualization of visualizations) expect(visualization.references).toEqual([{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: DATA_VIEW_ID }]);
    expect(PANELS.map((panel) => panel.title)).toEqual(expect.arrayContaining(['Errors per service', 'Circuit breaker transitions', 'Two-phase commit outcomes (order placements by status)']));
  });

  it('the setup job imports that file from the folder Compose mounts', () => {
    expect(services['kibana-setup']?.volumes).toContain('./kibana:/setup:ro');
    expect(deployFile('kibana', 'setup.sh')).toContain('file=@/setup/eticket.ndjson');
  });
});

describe('scripts and commands the containers run', () => {
  it('every shell script parses (sh -n)', () => {
    for (const script of ['redis/create-cluster.sh', 'patroni/post-bootstrap.sh', 'kibana/setup.sh', 'runtime/docker-entrypoint.sh']) {
      expect(() => execFileSync('sh', ['-n', resolve(ROOT, 'deploy', script)], { stdio: 'pipe' }), script).not.toThrow();
    }
  });

  it('the mongosh script parses as JavaScript', () => {
    expect(() => new Script(deployFile('mongo', 'init-replica-set.js'))).not.toThrow();
  });

  it('every etcd flag Compose passes is one etcd knows (etcd --help of the platform\'s etcd)', () => {
    const help = execFileSync('etcd', ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const known = new Set([...help.matchAll(/^\s*(--[a-z0-9-]+)/gm)].map((match) => match[1]));
    for (const name of ['etcd-1', 'etcd-2', 'etcd-3']) {
      const flags = (services[name]?.command ?? []).filter((arg) => arg.startsWith('--')).map((arg) => arg.split('=')[0]);
      expect(flags.length, name).toBeGreaterThan(5);
      expect(flags.filter((flag) => !known.has(flag)), name).toEqual([]);
    }
  });
});
