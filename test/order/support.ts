import { randomUUID } from 'node:crypto';
import { issueAccessToken, signInternalIdentity, type Identity } from '@eticket/auth';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { orderStatus, type OrderRecord } from '../../services/order/src/domain/order';
import { MongoOrderRepository } from '../../services/order/src/store/order-repository';
import { platformEnv } from '../setup/platform-env';
import { eventually as pollUntil } from '../support/eventually';
import type { ServiceProcess } from '../support/service-process';
import { newSecrets, ServiceStack, type Env, type ServiceInstance } from '../support/service-stack';

// The Ticket Order Service, the User Service and (when asked) the gateway as
// real processes against the real platform, on ports fixed for the life of a
// stack so that a test can SIGKILL one and start it again where the others
// expect it. Plus the checks every failure test ends with.

export const PASSWORD = 'correct horse battery staple';

export { freePort } from '../support/free-port';
export type { Env } from '../support/service-stack';

export interface StackOptions {
  readonly name: string;
  /** Order-service instances (default 1). */
  readonly orders?: number;
  readonly gateway?: boolean;
  readonly userEnv?: Env;
  readonly orderEnv?: Env;
}

export class OrderStack {
  readonly secrets = newSecrets();
  readonly db: pg.Pool;
  readonly mongo: MongoClient;
  readonly repository: MongoOrderRepository;
  private services: ServiceStack | undefined;

  /**
   * Each stack gets an order database of its own, so one test file's orders
   * never show up in another's scans or invariants (the platform's database
   * keeps whatever earlier runs left; FerretDB's scans read all of it).
   */
  readonly mongoUrl: string;

  private constructor(readonly options: StackOptions) {
    const env = platformEnv();
    this.db = new pg.Pool({ connectionString: env.USER_DB_WRITE_URL, max: 4 });
    this.db.on('error', () => undefined);
    const url = new URL(env.ORDER_MONGO_URL);
    url.pathname = `/test_${options.name.replace(/[^a-z0-9]/gi, '_')}_${randomUUID().slice(0, 8)}`;
    this.mongoUrl = url.toString();
    this.mongo = new MongoClient(this.mongoUrl);
    this.repository = new MongoOrderRepository(this.mongo.db());
  }

  static async start(options: StackOptions): Promise<OrderStack> {
    const stack = new OrderStack(options);
    await stack.mongo.connect();
    try {
      // Wired by address: the order instances call the User Service over gRPC, it calls the first of them back for 2PC decisions.
      stack.services = await ServiceStack.start({
        name: options.name,
        users: ['user'],
        orders: Array.from({ length: options.orders ?? 1 }, (_, i) => `order-${i}`),
        gateway: options.gateway === true,
        secrets: stack.secrets,
        env: {
          user: {
            USER_DB_READ_URL: platformEnv().USER_DB_WRITE_URL,
            RESERVATION_PREPARED_MAX_AGE_MS: '2000',
            RESERVATION_SWEEP_INTERVAL_MS: '500',
            ...options.userEnv,
          },
          order: { ORDER_MONGO_URL: stack.mongoUrl, ...options.orderEnv },
          gateway: {
            // A rush of 1,000 orders from one test process: the gateway's protections (deadlines sized
            // for a quiet machine, per-user and per-address rate limits) are not what these tests measure.
            ROUTE_TIMEOUT_WRITE_MS: '60000',
            ROUTE_TIMEOUT_READ_MS: '30000',
            RATE_LIMIT_CLIENT_MAX: '1000000',
            RATE_LIMIT_USER_MAX: '1000000',
            UPSTREAM_CONNECTIONS: '256',
            // The rushes here test the two-phase commit, not admission: no waiting room (it would answer 202s).
            WAITING_ROOM_ENABLED: 'false',
          },
        },
      });
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  private get running(): ServiceStack {
    if (this.services === undefined) throw new Error(`the order stack ${this.options.name} is not running`);
    return this.services;
  }

  get userUrl(): string {
    return this.running.get('user').url;
  }

  orderUrl(i = 0): string {
    return this.instance(i).url;
  }

  get gatewayUrl(): string {
    return this.running.gatewayUrl;
  }

  /** The User Service's process. */
  get user(): ServiceProcess | undefined {
    return this.services?.get('user').process;
  }

  private instance(i: number): ServiceInstance {
    return this.running.get('order', `order-${i}`);
  }

  /** (Re)starts the User Service; `env` adds to or overrides the stack's own. */
  async startUser(env: Env = {}): Promise<ServiceProcess> {
    return this.running.start(this.running.get('user'), env);
  }

  /** (Re)starts order instance `i` on its ports. */
  async startOrder(i = 0, env: Env = {}): Promise<ServiceProcess> {
    return this.running.start(this.instance(i), env);
  }

  orderProcess(i = 0): ServiceProcess | undefined {
    return this.instance(i).process;
  }

  /** Headers that make a direct request come from `identity`, as the gateway vouches for callers. */
  async as(identity: Identity): Promise<Record<string, string>> {
    return { 'x-eticket-identity': await signInternalIdentity(identity, this.secrets.INTERNAL_AUTH_SECRET) };
  }

  /** An access token the gateway accepts, for requests through the gateway. */
  async token(identity: Identity): Promise<string> {
    return (await issueAccessToken(identity, this.secrets.JWT_SECRET, 3_600)).token;
  }

  /** A registered buyer (a real account: notifications reference it). */
  async buyer(): Promise<Identity> {
    const email = `buyer-${randomUUID().slice(0, 12)}@example.test`;
    const response = await call(`${this.userUrl}/user/register`, { method: 'POST', body: { email, password: PASSWORD } });
    if (response.status !== 201) throw new Error(`register failed: ${response.text}`);
    return { userId: (response.body as { id: string }).id, email, roles: ['buyer'] };
  }

  async organizer(): Promise<Identity> {
    const user = await this.buyer();
    const admin: Identity = { userId: randomUUID(), email: 'admin@example.test', roles: ['buyer', 'admin'] };
    const granted = await call(`${this.userUrl}/user/${user.userId}/roles/organizer`, { method: 'PUT', headers: await this.as(admin) });
    if (granted.status !== 200) throw new Error(`grant failed: ${granted.text}`);
    return { ...user, roles: ['buyer', 'organizer'] };
  }

  /** An event with `seats` seats at `priceMinor` (minor units of EUR). */
  async event(seats: number, priceMinor = 2_500, organizer?: Identity): Promise<string> {
    const owner = organizer ?? (await this.organizer());
    const response = await call(`${this.userUrl}/event`, {
      method: 'POST',
      headers: await this.as(owner),
      body: {
        name: `Test event ${randomUUID().slice(0, 6)}`,
        description: '',
        date_time: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        venue: { name: 'Arena', location: 'Chisinau', capacity: Math.max(seats, 1) },
        total_seats: seats,
        price: priceMinor,
        currency: 'EUR',
      },
    });
    if (response.status !== 201) throw new Error(`event failed: ${response.text}`);
    return (response.body as { id: string }).id;
  }

  /** POST /order straight to order instance `i`. */
  async placeOrder(identity: Identity, eventId: string, quantity: number, key = randomUUID(), i = 0) {
    return call(`${this.orderUrl(i)}/order`, { method: 'POST', headers: { ...(await this.as(identity)), 'idempotency-key': key }, body: { event_id: eventId, quantity } });
  }

  async getOrder(identity: Identity, orderId: string, i = 0) {
    return call(`${this.orderUrl(i)}/order/${orderId}`, { headers: await this.as(identity) });
  }

  async pay(identity: Identity, orderId: string, body: Record<string, unknown> = {}, key = randomUUID(), i = 0) {
    return call(`${this.orderUrl(i)}/payment`, { method: 'POST', headers: { ...(await this.as(identity)), 'idempotency-key': key }, body: { order_id: orderId, payment_method: 'card', ...body } });
  }

  async availableSeats(eventId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT event_available_seats($1) AS n', [eventId]);
    return rows[0]?.n ?? -1;
  }

  async preparedTransactions(): Promise<string[]> {
    const { rows } = await this.db.query<{ gid: string }>('SELECT gid FROM pg_prepared_xacts WHERE gid LIKE \'eticket:%\'');
    return rows.map((row) => row.gid);
  }

  async reservation(txId: string): Promise<{ state: string; quantity: number | null } | undefined> {
    const { rows } = await this.db.query<{ state: string; quantity: number | null }>('SELECT state, quantity FROM reservations WHERE transaction_id = $1', [txId]);
    return rows[0];
  }

  async order(orderId: string): Promise<OrderRecord | null> {
    return this.repository.load(orderId);
  }

  /**
   * The invariants every test ends with, for one event:
   *  - no PostgreSQL transaction of ours is left prepared;
   *  - available_seats + seats held or sold = total_seats;
   *  - every order that holds or bought seats has exactly its committed
   *    reservation, and no committed reservation lacks such an order (no seat
   *    both sold and free, no order confirmed without its seats).
   */
  async invariants(eventId: string): Promise<InvariantReport> {
    const prepared = await this.preparedTransactions();
    const [{ total_seats: totalSeats } = { total_seats: -1 }] = (await this.db.query<{ total_seats: number }>('SELECT total_seats FROM events WHERE id = $1', [eventId])).rows;
    const available = await this.availableSeats(eventId);
    const reservations = (await this.db.query<{ transaction_id: string; state: string; quantity: number | null }>(
      'SELECT transaction_id, state, quantity FROM reservations WHERE event_id = $1', [eventId],
    )).rows;
    const held = reservations.filter((row) => row.state === 'committed').reduce((sum, row) => sum + (row.quantity ?? 0), 0);
    const placements = await this.mongo.db().collection<{ _id: string }>('orders').find({ event_id: eventId }, { projection: { _id: 1 } }).toArray();
    const records = (await Promise.all(placements.map((doc) => this.repository.load(doc._id)))).filter((record): record is OrderRecord => record !== null);
    const byTx = new Map(reservations.map((row) => [row.transaction_id, row]));
    const problems: string[] = [];
    const statuses: Record<string, number> = {};
    for (const record of records) {
      const status = orderStatus(record);
      statuses[status] = (statuses[status] ?? 0) + 1;
      const reservation = byTx.get(record.placement.id);
      const holdsSeats = status === 'pending_payment' || status === 'paid';
      if (holdsSeats && (reservation?.state !== 'committed' || reservation.quantity !== record.placement.quantity)) {
        problems.push(`order ${record.placement.id} is ${status} but its reservation is ${reservation?.state ?? 'missing'}`);
      }
      if (!holdsSeats && reservation?.state === 'committed' && status !== 'preparing') {
        problems.push(`order ${record.placement.id} is ${status} but still holds ${reservation.quantity} seats`);
      }
    }
    const orderIds = new Set(records.map((record) => record.placement.id));
    for (const row of reservations) {
      if (row.state === 'committed' && !orderIds.has(row.transaction_id)) problems.push(`reservation ${row.transaction_id} holds seats without an order`);
    }
    return { prepared, totalSeats, available, held, statuses, problems };
  }

  async stop(): Promise<void> {
    await this.services?.stop();
    await this.mongo.db().dropDatabase().catch(() => undefined);
    await this.mongo.close();
    await this.db.end();
  }
}

export interface InvariantReport {
  readonly prepared: readonly string[];
  readonly totalSeats: number;
  readonly available: number;
  readonly held: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly problems: readonly string[];
}

/** JSON over HTTP: status, parsed body, raw text. */
export async function call(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(url, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, text, body: body as Record<string, unknown> };
}

/** The process's exit, or an error if it is still running after `timeoutMs` (a fault hook that never fired). */
export async function exited(process: ServiceProcess, timeoutMs = 15_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${process.name} did not exit within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([process.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every 200 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  return pollUntil(what, check, timeoutMs, 200);
}

/** Waits until the invariants hold (recovery is asynchronous) and returns the final report. */
export async function settledInvariants(stack: OrderStack, eventId: string, timeoutMs = 30_000): Promise<InvariantReport> {
  let report: InvariantReport | undefined;
  try {
    return await eventually('the invariants to hold', async () => {
      report = await stack.invariants(eventId);
      const balanced = report.available + report.held === report.totalSeats;
      const ok = report.prepared.length === 0 && report.problems.length === 0 && balanced && (report.statuses.preparing ?? 0) === 0;
      return ok ? report : undefined;
    }, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}; last report: ${JSON.stringify(report)}`);
  }
}
