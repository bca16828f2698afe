import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { issueAccessToken } from '@eticket/auth';
import { callUnary, loadUserContracts } from '@eticket/contracts';
import type { NotificationsClient } from '@eticket/contracts/generated/eticket/user/v1/Notifications';
import type { SendNotificationRequest } from '@eticket/contracts/generated/eticket/user/v1/SendNotificationRequest';
import type { SendNotificationResponse__Output } from '@eticket/contracts/generated/eticket/user/v1/SendNotificationResponse';
import pg from 'pg';
import WebSocket from 'ws';
import { platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import type { ServiceProcess } from '../support/service-process';
import { clusterCacheEnv, newSecrets, NO_RATE_LIMITS, ServiceStack, type ServiceInstance } from '../support/service-stack';

// Two User Service instances, one Ticket Order Service instance and a
// gateway as real processes, found through the platform's etcd under a
// registry namespace of their own, fanning notifications out through the
// platform's Redis Cluster. Ports are fixed for the stack's life so an
// instance can be killed and started again where it was.

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Frame {
  readonly type: string;
  readonly notification?: { id: number; kind: string; message: string; order_id?: string; event_id?: string; created_at: string };
  readonly event_id?: string;
  readonly available_seats?: number;
}

/** A real WebSocket client that keeps every frame it got. */
export class Client {
  readonly frames: Frame[] = [];
  closed = false;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData) => this.frames.push(JSON.parse((Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)).toString('utf8')) as Frame));
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Connects; rejects with the HTTP status (and body) when the upgrade is refused. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new Client(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => reject(Object.assign(new Error(`refused with ${response.statusCode}`), { status: response.statusCode, body: Buffer.concat(chunks).toString(), headers: response.headers })));
      });
      socket.once('error', reject);
    });
  }

  notifications(): NonNullable<Frame['notification']>[] {
    return this.frames.flatMap((frame) => (frame.type === 'notification' && frame.notification !== undefined ? [frame.notification] : []));
  }

  availability(eventId: string): number[] {
    return this.frames.flatMap((frame) => (frame.type === 'availability' && frame.event_id === eventId ? [frame.available_seats ?? -1] : []));
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  async waitFor<T>(what: string, check: (client: Client) => T | undefined, timeoutMs = 15_000): Promise<T> {
    return eventually(what, () => check(this), timeoutMs, 50);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

export interface StackOptions {
  readonly name: string;
  readonly userEnv?: Record<string, string>;
  readonly orderEnv?: Record<string, string>;
}

const USER_IDS = ['user-a', 'user-b'];

export class NotificationStack {
  readonly namespace = `notif-${randomUUID().slice(0, 8)}`;
  readonly secrets = newSecrets();
  readonly admin = { email: `notif-admin-${randomUUID().slice(0, 8)}@example.test`, password: 'notification-admin-password' };
  /** "Now" for the reminder scheduler of every User Service instance (TEST_CLOCK_FILE). */
  readonly clockFile: string;
  readonly db: pg.Pool;
  private services: ServiceStack | undefined;
  private readonly grpcClients = new Map<string, NotificationsClient>();

  private constructor(readonly options: StackOptions) {
    const dir = `${REPO_ROOT}.data/test-clock`;
    mkdirSync(dir, { recursive: true });
    this.clockFile = `${dir}/${this.namespace}`;
    writeFileSync(this.clockFile, '');
    this.db = new pg.Pool({ connectionString: platformEnv().USER_DB_WRITE_URL, max: 3 });
    this.db.on('error', () => undefined);
  }

  static async start(options: StackOptions): Promise<NotificationStack> {
    const stack = new NotificationStack(options);
    try {
      stack.services = await ServiceStack.start({
        name: options.name,
        users: USER_IDS,
        orders: ['order-1'],
        gateway: true,
        registry: { namespace: stack.namespace, leaseTtlSeconds: 5 },
        secrets: stack.secrets,
        admin: stack.admin,
        instanceName: (kind, id) => (kind === 'user' ? id : kind === 'order' ? `${stack.namespace}-${id}` : `${options.name}-${id}`),
        env: {
          user: {
            ...clusterCacheEnv(),
            TEST_CLOCK_FILE: stack.clockFile,
            REMINDER_SCAN_INTERVAL_MS: '300',
            // Request lines are logged at info: the redaction test reads them.
            LOG_LEVEL: 'info',
            ...options.userEnv,
          },
          order: { ...options.orderEnv },
          gateway: {
            ...clusterCacheEnv(),
            ...NO_RATE_LIMITS,
            ROUTE_TIMEOUT_WRITE_MS: '30000',
            // Orders straight through: the on-sale waiting room is not what these tests are about.
            WAITING_ROOM_ENABLED: 'false',
            LOG_LEVEL: 'info',
          },
        },
      });
      await stack.waitForInstances(USER_IDS);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  private get running(): ServiceStack {
    if (this.services === undefined) throw new Error('the notification stack is not running');
    return this.services;
  }

  get gatewayUrl(): string {
    return this.running.gatewayUrl;
  }

  get gatewayWs(): string {
    return `${this.gatewayUrl.replace('http:', 'ws:')}/notification`;
  }

  userWs(id: string): string {
    return `${this.userUrl(id).replace('http:', 'ws:')}/notification`;
  }

  userUrl(id: string): string {
    return this.user(id).url;
  }

  logFile(component: string): string {
    return `${REPO_ROOT}.data/test-logs/${this.options.name}-${component}.log`;
  }

  readLog(component: string): string {
    return readFileSync(this.logFile(component), 'utf8');
  }

  user(id: string): ServiceInstance {
    return this.running.get('user', id);
  }

  /** Starts (again) a User Service instance where it was. */
  async startUser(id: string): Promise<ServiceProcess> {
    return this.running.start(this.user(id));
  }

  /** Waits until the gateway lists every user instance with a closed breaker (reads meanwhile, as live traffic would). */
  async waitForInstances(ids: readonly string[], timeoutMs = 30_000): Promise<void> {
    await eventually(`the gateway to list ${ids.join(', ')}`, async () => {
      await Promise.all(Array.from({ length: 4 }, () => fetch(`${this.gatewayUrl}/event?limit=1`).then((response) => response.arrayBuffer())));
      const response = await fetch(`${this.gatewayUrl}/status`, { signal: AbortSignal.timeout(5_000) });
      const report = (await response.json()) as { dependencies: Record<string, { details?: { instances?: { id: string; breaker: string }[] } }> };
      const listed = report.dependencies['user-service']?.details?.instances ?? [];
      return ids.every((id) => listed.some((instance) => instance.id === id && instance.breaker === 'closed')) ? true : undefined;
    }, timeoutMs, 200);
  }

  /** Sets "now" for every instance's reminder scheduler. */
  setClock(at: Date): void {
    writeFileSync(this.clockFile, at.toISOString());
  }

  async json(path: string, init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    const response = await fetch(`${this.gatewayUrl}${path}`, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  }

  /** A registered buyer and an access token for them (issued here with the stack's secret, saving a login's hashing). */
  async buyer(): Promise<{ userId: string; token: string }> {
    const email = `notif-${randomUUID().slice(0, 12)}@example.test`;
    const response = await this.json('/user/register', { method: 'POST', body: { email, password: 'correct horse battery staple' } });
    if (response.status !== 201) throw new Error(`register failed: ${response.text}`);
    const userId = (response.body as { id: string }).id;
    const { token } = await issueAccessToken({ userId, email, roles: ['buyer'] }, this.secrets.JWT_SECRET, 3_600);
    return { userId, token };
  }

  async adminToken(): Promise<string> {
    const response = await this.json('/user/login', { method: 'POST', body: this.admin });
    if (response.status !== 200) throw new Error(`admin login failed: ${response.text}`);
    return (response.body as { access_token: string }).access_token;
  }

  /** A new event through the gateway; its id. */
  async event(options: { seats?: number; at?: Date; name?: string } = {}): Promise<string> {
    const seats = options.seats ?? 100;
    const response = await this.json('/event', {
      method: 'POST',
      token: await this.adminToken(),
      body: {
        name: options.name ?? `Notification night ${randomUUID().slice(0, 6)}`,
        description: '',
        date_time: (options.at ?? new Date(Date.now() + 30 * 86_400_000)).toISOString(),
        venue: { name: 'Arena', location: 'Localhost', capacity: seats },
        total_seats: seats,
        price: 2_500,
        currency: 'EUR',
      },
    });
    if (response.status !== 201) throw new Error(`event failed: ${response.text}`);
    return (response.body as { id: string }).id;
  }

  /** Notifications.Send straight to one instance's gRPC server (as the order service does). */
  async send(instance: string, request: SendNotificationRequest): Promise<SendNotificationResponse__Output> {
    let client = this.grpcClients.get(instance);
    if (client === undefined) {
      client = new (loadUserContracts().Notifications)(`127.0.0.1:${this.user(instance).grpc}`, grpc.credentials.createInsecure());
      this.grpcClients.set(instance, client);
    }
    return callUnary<SendNotificationRequest, SendNotificationResponse__Output>(client.Send.bind(client), request, 5_000);
  }

  /** The instance's /status notifications entry (connections, drops). */
  async hubStats(instance: string): Promise<{ connections: number; droppedSlow: number; droppedDead: number }> {
    const response = await fetch(`${this.userUrl(instance)}/status`);
    const report = (await response.json()) as { dependencies: Record<string, { details?: { connections: number; droppedSlow: number; droppedDead: number } }> };
    const details = report.dependencies.notifications?.details;
    if (details === undefined) throw new Error('no notifications entry in /status');
    return details;
  }

  async stop(): Promise<void> {
    for (const client of this.grpcClients.values()) client.close();
    await this.services?.stop();
    await this.db.end();
  }
}
