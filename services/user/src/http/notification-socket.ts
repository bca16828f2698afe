import { verifyAccessToken } from '@eticket/auth';
import { notificationSocket } from '@eticket/contracts';
import { AppError, isAppError } from '@eticket/errors';
import type { HttpApp } from '@eticket/service-kit';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { ClientSink, LiveConnection, LiveHub } from '../app/live-hub';
import { parseClientFrame } from '../domain/notification';

/** Largest client frame: a watch list of 50 UUIDs is about 2 KiB. */
const MAX_CLIENT_FRAME_BYTES = 8 * 1024;

function sinkOf(socket: WebSocket): ClientSink {
  return {
    send: (text) => socket.send(text),
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    ping: () => socket.ping(),
    close: (code, reason) => socket.close(code, reason),
    terminate: () => socket.terminate(),
  };
}

/**
 * `GET /notification` as a WebSocket (@fastify/websocket, on `ws`). Before
 * the upgrade: a plain GET is 426, the caller must be known (the gateway's
 * identity assertion, or the `token` query parameter when reached
 * directly) else 401, and one more connection than the per-user limit is
 * 429 — all as problem+json over HTTP. After it, the hub does the rest.
 */
export function registerNotificationSocket(app: HttpApp, hub: LiveHub, jwtSecret: string): void {
  void app.register(websocket, { options: { maxPayload: MAX_CLIENT_FRAME_BYTES } });
  // Declared in a plugin registered after @fastify/websocket, so its onRoute hook (which turns the route into a WebSocket) is in place.
  void app.register((scope: HttpApp, _options, done) => {
    declareRoute(scope, hub, jwtSecret);
    done();
  });
}

function declareRoute(app: HttpApp, hub: LiveHub, jwtSecret: string): void {
  app.route({
    method: 'GET',
    url: notificationSocket.url,
    schema: { querystring: notificationSocket.schema.querystring },
    preValidation: async (request) => {
      if (!request.ws) throw new AppError('UPGRADE_REQUIRED', 'GET /notification is a WebSocket: connect with an Upgrade: websocket request');
      if (request.identity === null) {
        const token = (request.query as { token?: unknown }).token;
        if (typeof token !== 'string' || token === '') throw new AppError('UNAUTHENTICATED', 'Connect with ?token=<access token>');
        request.identity = await verifyAccessToken(token, jwtSecret);
      }
      if (!hub.canAccept(request.identity.userId)) {
        throw new AppError('TOO_MANY_CONNECTIONS', 'Too many notification connections are open for this user; close one first');
      }
    },
    handler: () => {
      throw new AppError('UPGRADE_REQUIRED', 'GET /notification is a WebSocket: connect with an Upgrade: websocket request');
    },
    wsHandler: async (socket, request) => {
      const identity = request.identity;
      if (identity === null) {
        socket.close(1008, 'unauthenticated');
        return;
      }
      const after = (request.query as { after?: number }).after;
      const sink = sinkOf(socket);
      let connection: LiveConnection | undefined;
      const early: string[] = [];
      socket.on('pong', () => connection !== undefined && hub.alive(connection));
      socket.on('message', (data, isBinary) => {
        const text = isBinary ? '' : (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data)).toString('utf8');
        if (connection === undefined) early.push(text);
        else handleFrame(hub, connection, sink, text);
      });
      socket.on('close', () => connection !== undefined && hub.closed(connection));
      try {
        connection = await hub.open(identity.userId, after, sink);
      } catch (error) {
        request.log.warn({ err: error }, 'could not open a notification connection');
        socket.close(1011, 'try again');
        return;
      }
      if (socket.readyState !== socket.OPEN) hub.closed(connection);
      for (const text of early.splice(0)) handleFrame(hub, connection, sink, text);
    },
  });
}

function handleFrame(hub: LiveHub, connection: LiveConnection, sink: ClientSink, text: string): void {
  hub.alive(connection);
  try {
    const frame = parseClientFrame(text);
    hub.watch(connection, frame.eventIds);
  } catch (error) {
    // An error frame (a type the contract adds to) instead of closing: the client's bug should not cost it its notifications.
    const code = isAppError(error) ? error.code : 'VALIDATION_FAILED';
    sink.send(JSON.stringify({ type: 'error', code, message: error instanceof Error ? error.message : 'invalid frame' }));
  }
}
