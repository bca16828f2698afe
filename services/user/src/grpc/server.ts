import * as grpc from '@grpc/grpc-js';
import { loadUserContracts, unaryHandler } from '@eticket/contracts';
import type { NotificationsHandlers } from '@eticket/contracts/generated/eticket/user/v1/Notifications';
import type { UserDirectoryHandlers } from '@eticket/contracts/generated/eticket/user/v1/UserDirectory';
import type { Directory } from '../app/directory';
import type { NotificationFeed } from '../app/notification-feed';

export interface GrpcDeps {
  readonly directory: Directory;
  readonly feed: NotificationFeed;
}

/** A further service on the same server, e.g. the SeatReservation participant of the two-phase commit. */
export interface ExtraGrpcService {
  readonly service: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

// Messages are small; a cap stops a peer from making us buffer megabytes.
const MAX_MESSAGE_BYTES = 64 * 1024;

/** The gRPC server with UserDirectory and Notifications, plus any extra services; not yet bound. */
export function createGrpcServer(deps: GrpcDeps, extraServices: readonly ExtraGrpcService[] = []): grpc.Server {
  const contracts = loadUserContracts();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.keepalive_permit_without_calls': 1 });
  const directory: UserDirectoryHandlers = {
    GetUser: unaryHandler((request) => deps.directory.getUser(request.user_id)),
    GetEvent: unaryHandler((request) => deps.directory.getEvent(request.event_id)),
  };
  const notifications: NotificationsHandlers = {
    Send: unaryHandler(async (request) => {
      const { key, notification } = await deps.feed.send({
        userId: request.user_id,
        kind: request.kind,
        message: request.message,
        orderId: request.order_id,
        eventId: request.event_id,
        dedupeKey: request.dedupe_key,
      });
      return { notification_id: key, sequence: String(notification.id) };
    }),
  };
  server.addService(contracts.UserDirectory.service, directory);
  server.addService(contracts.Notifications.service, notifications);
  for (const extra of extraServices) server.addService(extra.service, extra.implementation);
  return server;
}

/** Binds the server; resolves with the bound port (useful with port 0 in tests). */
export function listenGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
  });
}

/** Lets in-flight calls finish, then forces the rest after `timeoutMs`. */
export function closeGrpc(server: grpc.Server, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, timeoutMs);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
