import * as grpc from '@grpc/grpc-js';
import { grpcPeers, type ClientPool, type DiscoveryConfig } from '@eticket/discovery';
import type { Logger } from '@eticket/logging';
import type { BreakerListener } from '@eticket/resilience';
import type { CommitDecision, Placement } from '../domain/order';
import type { Notifier, OrderNotice, SeatParticipant, SeatPrepareRequest, Vote } from '../domain/ports';
import { GrpcNotifier } from './notifier';
import { GrpcSeatParticipant } from './seat-participant';

/**
 * The participant's client for one instance, with a channel to watch whether the instance is connected:
 * calls wait for a connection (waitForReady), so a Prepare sent to a crashed instance would wait until its
 * deadline and fail its order. Created with the client's own channel options, the watch channel shares its
 * connection (grpc-js pools subchannels by target and options); if they ever differ it is one more
 * connection, and still tells whether the instance accepts connections.
 */
interface SeatPeer {
  readonly seats: GrpcSeatParticipant;
  readonly watch: grpc.Channel;
}

/** Options of GrpcSeatParticipant's channel (seat-participant.ts), so the watch channel shares its connection. */
const SEAT_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
};

function seatPeer(address: string): SeatPeer {
  return { seats: new GrpcSeatParticipant(address), watch: new grpc.Channel(address, grpc.credentials.createInsecure(), SEAT_CHANNEL_OPTIONS) };
}

/** Connected; asking also starts connecting an idle channel, so a new or idle instance joins in. */
const connected = ({ watch }: SeatPeer): boolean => watch.getConnectivityState(true) === grpc.connectivityState.READY;

/**
 * The seat participant on any healthy User Service instance: they are
 * stateless over the shared PostgreSQL, so Prepare, Commit, Abort and Release
 * of one transaction may each go to a different one. Each call is made once
 * (a pool refusal — open breaker, full bulkhead — moves it to another
 * instance before anything is sent); a Prepare that times out is never
 * repeated here, the coordinator decides (abort), and phase 2 keeps the
 * coordinator's own retries, each of which may land on another instance.
 */
class PooledSeatParticipant implements SeatParticipant {
  constructor(private readonly peers: ClientPool<SeatPeer>) {}

  prepare(request: SeatPrepareRequest, deadlineMs: number): Promise<Vote> {
    return this.peers.call(({ seats }) => seats.prepare(request, deadlineMs));
  }

  reserveLocal(request: SeatPrepareRequest, deadlineMs: number): Promise<Vote> {
    return this.peers.call(({ seats }) => seats.reserveLocal(request, deadlineMs));
  }

  commit(txId: string, deadlineMs: number): Promise<void> {
    return this.peers.call(({ seats }) => seats.commit(txId, deadlineMs));
  }

  abort(txId: string, deadlineMs: number): Promise<void> {
    return this.peers.call(({ seats }) => seats.abort(txId, deadlineMs));
  }

  release(txId: string, reason: string, deadlineMs: number): Promise<void> {
    return this.peers.call(({ seats }) => seats.release(txId, reason, deadlineMs));
  }

  close(): void {
    void this.peers.close();
  }
}

/** Notifications.Send on any healthy instance (the dedupe key makes a resend harmless). */
class PooledNotifier implements Notifier {
  constructor(private readonly peers: ClientPool<GrpcNotifier>) {}

  paymentPending(placement: Placement, decision: CommitDecision): Promise<void> {
    return this.peers.call((notifier) => notifier.paymentPending(placement, decision));
  }

  notify(notice: OrderNotice): Promise<void> {
    return this.peers.call((notifier) => notifier.notify(notice));
  }

  close(): void {
    void this.peers.close();
  }
}

/**
 * The User Service's gRPC instances for the coordinator: discovered through
 * the registry (a channel per instance, P2C balancing, a breaker around each
 * call), or the one at USER_SERVICE_GRPC_ADDR when that is set.
 */
export function userServicePeers(
  discovery: DiscoveryConfig,
  staticAddress: string | undefined,
  notifyDeadlineMs: number,
  logger: Logger,
  countBreaker?: BreakerListener,
) {
  const onBreakerChange: BreakerListener = (upstream, instance, state) => {
    countBreaker?.(upstream, instance, state);
    logger[state === 'open' ? 'warn' : 'info']({ upstream, upstreamInstance: instance, breaker: state }, `breaker ${state} for ${upstream} instance ${instance}`);
  };
  const seats = new PooledSeatParticipant(grpcPeers<SeatPeer>(discovery, 'user', staticAddress, {
    connect: seatPeer,
    disconnect: ({ seats: client, watch }) => {
      client.close();
      watch.close();
    },
    // Prefer connected instances: a crashed one's channel leaves READY when its connection closes, so only a
    // call already on its way there is lost (the lease then drops it). None connected (start-up): any will do.
    usable: connected,
    onBreakerChange,
  }, logger));
  const notifier = new PooledNotifier(grpcPeers<GrpcNotifier>(discovery, 'user', staticAddress, {
    connect: (address) => new GrpcNotifier(address, notifyDeadlineMs),
    disconnect: (client) => client.close(),
    onBreakerChange,
  }, logger));
  return { seats, notifier };
}
