import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentOf, loadProject, readEnvFile } from './checks/compose-project';
import { APP_SERVICES, ENV_EXAMPLE, exampleProject, requiredBlank, ROOT } from './checks/fixtures';
import { references } from './checks/interpolate';
import { configFilesText, hostPortReferences, listenPorts } from './checks/ports';
import { SERVICE_CONFIGS } from './checks/service-configs';

const project = exampleProject();
const { compose } = project;
const services = compose.services;
const example = readEnvFile(ENV_EXAMPLE);

describe('.env.example', () => {
  const refs = references(project.text);

  it('lists every variable compose.yaml reads, and nothing else', () => {
    const used = new Set(refs.map((ref) => ref.name));
    expect([...used].filter((name) => !(name in example)).sort()).toEqual([]);
    expect(Object.keys(example).filter((name) => !used.has(name)).sort()).toEqual([]);
  });

  it('gives each setting the same default compose.yaml applies when it is unset', () => {
    const mismatched = refs
      .filter((ref) => ref.operator === ':-' || ref.operator === '-')
      .filter((ref) => example[ref.name] !== ref.argument)
      .map((ref) => `${ref.name}: .env.example ${JSON.stringify(example[ref.name])}, compose.yaml ${JSON.stringify(ref.argument)}`);
    expect(mismatched).toEqual([]);
  });

  it('commits no secret: every required variable is blank, and Compose refuses to start without it', () => {
    const required = [...new Set(refs.filter((ref) => ref.operator === ':?').map((ref) => ref.name))].sort();
    expect(required).toEqual(expect.arrayContaining(['INTERNAL_AUTH_SECRET', 'JWT_SECRET', 'USER_DB_PASSWORD', 'WAREHOUSE_DB_PASSWORD']));
    expect(requiredBlank(project.text, example).sort()).toEqual(required);
    for (const name of Object.keys(example).filter((key) => /SECRET|PASSWORD/.test(key))) expect(example[name], name).toBe('');
    expect(() => loadProject(ROOT, example)).toThrow(/set [A-Z_]+ in \.env/);
  });
});

describe('every service environment satisfies that service\'s own configuration schema', () => {
  for (const name of APP_SERVICES) {
    const spec = SERVICE_CONFIGS[name];
    it(`${name}: parsed by its config loaders without error`, () => {
      const env = environmentOf(services[name] ?? {});
      for (const load of spec.loaders) expect(() => load(env), `${name}: ${load.name}`).not.toThrow();
    });

    it(`${name}: sets no variable the service does not read (a typo would be silently ignored)`, () => {
      const known = new Set([...spec.schemas.flatMap((schema) => Object.keys(schema.properties)), 'NODE_ENV']);
      expect(Object.keys(environmentOf(services[name] ?? {})).filter((key) => !known.has(key))).toEqual([]);
    });
  }

  it('the ring topology (CACHE_TOPOLOGY=ring) is accepted too', () => {
    const ring = exampleProject({ CACHE_TOPOLOGY: 'ring' }).compose.services;
    for (const name of APP_SERVICES) {
      const env = environmentOf(ring[name] ?? {});
      for (const load of SERVICE_CONFIGS[name].loaders) expect(() => load(env), name).not.toThrow();
    }
  });

  it('listens on all interfaces and registers in etcd, so other containers can reach each instance', () => {
    for (const name of APP_SERVICES) {
      const env = environmentOf(services[name] ?? {});
      expect(env.HOST, name).toBe('0.0.0.0');
      expect(env.ETCD_ENDPOINTS, name).toBeTruthy();
      // Each replica names itself (docker-entrypoint.sh); a fixed name would make two replicas one etcd key.
      expect(env.SERVICE_INSTANCE, name).toBeUndefined();
    }
  });
});

describe('host names and ports in configuration match the Compose services', () => {
  const ports = listenPorts(project);

  it('every host:port an application service is given is a Compose service listening on that port', () => {
    const wrong: string[] = [];
    for (const name of APP_SERVICES) {
      for (const { host, port, where } of hostPortReferences(Object.values(environmentOf(services[name] ?? {})).join('\n'))) {
        if (!(host in services)) wrong.push(`${name}: ${where} names ${host}, which is no Compose service`);
        else if (!ports.get(host)?.has(port)) wrong.push(`${name}: ${where} expects ${host} on ${port}; it listens on ${[...(ports.get(host) ?? [])].join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every host:port in the infrastructure\'s commands, environments and mounted configuration files matches too', () => {
    const wrong: string[] = [];
    for (const name of Object.keys(services)) {
      if ((APP_SERVICES as readonly string[]).includes(name)) continue;
      for (const { host, port, where } of hostPortReferences(listenSources(name))) {
        if (!(host in services)) wrong.push(`${name}: ${where} names ${host}, which is no Compose service`);
        else if (!ports.get(host)?.has(port)) wrong.push(`${name}: ${where} expects ${host} on ${port}; it listens on ${[...(ports.get(host) ?? [])].join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('knows where every service listens (the checks above compare against something)', () => {
    for (const name of ['gateway', 'user', 'order', 'etl', 'etcd-1', 'patroni-1', 'haproxy', 'warehouse', 'mongo-1', 'redis-1', 'sentinel-1', 'elasticsearch', 'kibana', 'logstash']) {
      expect(ports.get(name)?.size ?? 0, name).toBeGreaterThan(0);
    }
    expect([...(ports.get('haproxy') ?? [])].sort()).toEqual([5000, 5001, 7000, 8404]);
    expect([...(ports.get('user') ?? [])].sort()).toEqual([3000, 50051]);
  });

  function listenSources(name: string): string {
    const service = services[name] ?? {};
    return [JSON.stringify(service.command ?? []), JSON.stringify(service.entrypoint ?? []), ...Object.values(environmentOf(service)), configFilesText(project, service)].join('\n');
  }
});

describe('start-up order, replicas and volumes', () => {
  it('every dependency exists and waits on a health check or a finished one-shot job', () => {
    const wrong: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        const dependency = services[target];
        if (dependency === undefined) wrong.push(`${name} depends on ${target}, which does not exist`);
        else if (condition === 'service_healthy' && dependency.healthcheck === undefined && dependency.build === undefined) wrong.push(`${name} waits for ${target} to be healthy, which has no health check`);
        else if (condition === 'service_completed_successfully' && dependency.restart !== 'no') wrong.push(`${name} waits for ${target} to finish, which restarts`);
        else if (condition === 'service_started') wrong.push(`${name} waits only for ${target} to start`);
        if (dependency?.profiles !== undefined && service.profiles === undefined) wrong.push(`${name} (always started) depends on ${target}, which is in a profile`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every long-running service has a health check (its own or its image\'s HEALTHCHECK)', () => {
    const missing = Object.entries(services).filter(([, service]) => service.restart !== 'no' && service.healthcheck === undefined && service.build === undefined).map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('runs two instances of each service behind discovery, none with a fixed host port or name (so --scale works)', () => {
    for (const name of ['user', 'order']) {
      expect(Number(services[name]?.deploy?.replicas), name).toBe(2);
      expect(services[name]?.ports, name).toBeUndefined();
      expect(services[name]?.container_name, name).toBeUndefined();
    }
  });

  it('runs the platform\'s topology: etcd x3, Patroni x3, MongoDB replica set x3, Redis Cluster 3+3, the ring in a profile', () => {
    const names = Object.keys(services);
    const count = (pattern: RegExp) => names.filter((name) => pattern.test(name)).length;
    expect(count(/^etcd-\d$/)).toBe(3);
    expect(count(/^patroni-\d$/)).toBe(3);
    expect(count(/^mongo-\d$/)).toBe(3);
    expect(count(/^redis-\d$/)).toBe(6);
    expect(names.filter((name) => /^(redis-ring|sentinel)-/.test(name)).every((name) => services[name]?.profiles?.includes('ring'))).toBe(true);
    for (const name of ['haproxy', 'warehouse', 'elasticsearch', 'logstash', 'kibana', 'kibana-setup', 'prometheus', 'mongo-init', 'redis-cluster-init']) expect(names, name).toContain(name);
  });

  it('declares every named volume it mounts, mounts every one it declares, and every mounted file exists', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    const used = new Set<string>();
    const missingFiles: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('.') || source.startsWith('/')) {
          if (!existsSync(resolve(project.dir, source))) missingFiles.push(`${name}: ${source}`);
        } else used.add(source);
      }
    }
    expect(missingFiles).toEqual([]);
    expect([...used].filter((volume) => !declared.has(volume))).toEqual([]);
    expect([...declared].filter((volume) => !used.has(volume))).toEqual([]);
  });

  it('publishes only the gateway and the consoles, on PUBLISH_ADDRESS (127.0.0.1 by default)', () => {
    const published = Object.entries(services).filter(([, service]) => (service.ports ?? []).length > 0).map(([name]) => name).sort();
    expect(published).toEqual(['gateway', 'haproxy', 'kibana', 'prometheus']);
    for (const [, service] of Object.entries(services)) for (const port of service.ports ?? []) expect(port.startsWith('127.0.0.1:')).toBe(true);
  });
});
