// The ETL service as a real process: it runs on its cron schedule, registers
// in discovery, and the gateway serves its reports to admins only.
import { randomBytes, randomUUID } from 'node:crypto';
import { issueAccessToken, type Role } from '@eticket/auth';
import type { RunsView } from '@eticket/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import { spawnService, type ServiceProcess } from '../support/service-process';
import { seedMarketplace } from './seed';
import { closedPort, startHarness, type Harness } from './support';

const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
const namespace = `etl-test-${randomUUID().slice(0, 8)}`;

let h: Harness;
let etl: ServiceProcess | undefined;
let gateway: ServiceProcess | undefined;
let gatewayUrl: string;

const token = async (roles: Role[]) => (await issueAccessToken({ userId: randomUUID(), email: 'someone@example.test', roles }, secrets.JWT_SECRET, 600)).token;
const get = async (path: string, bearer?: string) => {
  const response = await fetch(`${gatewayUrl}${path}`, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });
  const body: unknown = await response.json();
  return { status: response.status, body };
};

beforeAll(async () => {
  h = await startHarness();
  await seedMarketplace(h, { orders: 100, seed: 77 });
  const env = platformEnv();
  const discovery = { ETCD_ENDPOINTS: env.ETCD_ENDPOINTS, DISCOVERY_NAMESPACE: namespace };
  const etlPort = await closedPort();
  etl = await spawnService({
    name: 'etl-service',
    entry: 'services/etl/src/main.ts',
    env: {
      ...discovery, INTERNAL_AUTH_SECRET: secrets.INTERNAL_AUTH_SECRET, WAREHOUSE_DB_URL: env.WAREHOUSE_DB_URL, USER_DB_READ_URL: env.USER_DB_READ_URL,
      ORDER_MONGO_URL: env.ORDER_MONGO_URL, PORT: String(etlPort), SERVICE_INSTANCE: 'etl-service-test',
      // Every 3 seconds (croner's optional seconds field), so the test sees scheduled runs.
      ETL_CRON: '*/3 * * * * *',
    },
    healthUrl: `http://127.0.0.1:${etlPort}/health`,
    timeoutMs: 60_000,
  });
  const gatewayPort = await closedPort();
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const nowhere = `http://127.0.0.1:${await closedPort()}`;
  gateway = await spawnService({
    name: 'etl-gateway',
    entry: 'services/gateway/src/main.ts',
    // The user and order services are not part of this test: fixed origins where nothing listens.
    env: { ...secrets, ...discovery, GATEWAY_PORT: String(gatewayPort), USER_SERVICE_HTTP_URL: nowhere, ORDER_SERVICE_HTTP_URL: nowhere, SERVICE_INSTANCE: 'etl-gateway' },
    healthUrl: `${gatewayUrl}/status/live`,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await etl?.stop();
  await h?.close();
});

describe('the ETL service', () => {
  it('runs on its schedule', async () => {
    const runs = await eventually('two scheduled runs', async () => {
      const { rows } = await h.warehouse.query<{ status: string; trigger: string }>(
        'SELECT status, trigger FROM etl.runs WHERE instance = \'etl-service-test\' AND status <> \'running\' ORDER BY id');
      return rows.length >= 2 ? rows : undefined;
    }, 60_000);
    expect(runs.slice(0, 2)).toEqual([{ status: 'succeeded', trigger: 'schedule' }, { status: 'succeeded', trigger: 'schedule' }]);
  });

  it('is found by the gateway through discovery and serves its reports to admins only', async () => {
    const admin = await token(['buyer', 'admin']);
    const report = await eventually('the reports through the gateway', async () => {
      const response = await get('/reports/runs?limit=5', admin);
      return response.status === 200 ? (response.body as RunsView) : undefined;
    }, 30_000);
    expect(report.items[0]).toMatchObject({ instance: 'etl-service-test', trigger: 'schedule' });
    expect((await get('/reports/sales-by-event', admin)).status).toBe(200);
    expect(await get('/reports/runs')).toMatchObject({ status: 401 });
    expect(await get('/reports/runs', await token(['buyer', 'organizer']))).toMatchObject({ status: 403 });
    // Validated at the edge with the contract's schema, before the service is asked.
    expect(await get('/reports/revenue-by-day?from=not-a-day', admin)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('drains on SIGTERM: a run in progress finishes, then it exits 0', async () => {
    expect(await etl!.stop('SIGTERM')).toBe(0);
    const { rows } = await h.warehouse.query<{ n: number }>('SELECT count(*)::int AS n FROM etl.runs WHERE status = \'running\'');
    expect(rows[0]!.n).toBe(0);
    etl = undefined;
  });
});
