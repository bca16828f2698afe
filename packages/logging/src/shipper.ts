import { createConnection, type Socket } from 'node:net';

/**
 * Ships log lines (pino's JSON lines, one per line) to Logstash's `tcp`
 * input with the `json_lines` codec, through a BOUNDED in-memory buffer.
 *
 * Written by hand because the maintained option, pino-socket (8.0.0,
 * checked 2026-11-26), is not bounded: its TcpConnection calls
 * `socket.write()` for every line, ignores the return value (backpressure)
 * and acknowledges the line at once, so a Logstash that accepts the
 * connection but stops reading makes the socket's own buffer grow without
 * limit; its `recoveryQueueMaxSize` bounds only lines whose write *failed*.
 *
 * The rules here:
 *  - `write()` never blocks and never throws: a line is appended to the
 *    buffer, or dropped and counted when the buffer is full (the oldest lines
 *    are kept: they describe how an outage began);
 *  - lines reach the socket only while it accepts them (write() returned
 *    true, or after 'drain'), at most one batch at a time, so what sits in
 *    the socket is bounded too;
 *  - a refused, reset or timed-out connection is retried with a capped,
 *    jittered backoff; the socket and timers are unref'd, so shipping never
 *    keeps a process alive and no socket error reaches the process.
 */
export interface ShipperOptions {
  readonly host: string;
  readonly port: number;
  /** Most bytes of lines waiting to be sent; beyond it lines are dropped. */
  readonly maxBufferBytes?: number;
  /** Connection attempts give up after this long (a black-holed address). */
  readonly connectTimeoutMs?: number;
  /** Backoff between connection attempts: starts here, doubles, capped at maxRetryDelayMs. */
  readonly minRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
}

export interface ShipperStats {
  readonly shippedLines: number;
  readonly droppedLines: number;
  readonly bufferedLines: number;
  readonly bufferedBytes: number;
  readonly connected: boolean;
  readonly connectFailures: number;
}

/** Lines handed to the socket in one write: large enough to amortise syscalls, small enough to bound the socket's buffer. */
const BATCH_BYTES = 64 * 1024;

export class LogShipper {
  private readonly maxBufferBytes: number;
  private readonly connectTimeoutMs: number;
  private readonly minRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly queue: string[] = [];
  /** Index of the first unsent line in `queue` (shifting arrays is O(n); compacted as it grows). */
  private head = 0;
  private bufferedBytes = 0;
  private socket: Socket | undefined;
  private connected = false;
  private writable = false;
  private closed = false;
  private retryDelayMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private shipped = 0;
  private dropped = 0;
  private connectFailures = 0;

  constructor(private readonly options: ShipperOptions) {
    this.maxBufferBytes = options.maxBufferBytes ?? 4 * 1024 * 1024;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.minRetryDelayMs = options.minRetryDelayMs ?? 100;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.retryDelayMs = this.minRetryDelayMs;
    this.connect();
  }

  /** pino's destination interface: one serialised line (with its newline). */
  write(line: string): boolean {
    if (this.closed) return true;
    const bytes = Buffer.byteLength(line);
    if (this.bufferedBytes + bytes > this.maxBufferBytes) {
      this.dropped += 1;
      return true;
    }
    this.queue.push(line);
    this.bufferedBytes += bytes;
    if (this.writable) this.flush();
    return true;
  }

  stats(): ShipperStats {
    return {
      shippedLines: this.shipped,
      droppedLines: this.dropped,
      bufferedLines: this.queue.length - this.head,
      bufferedBytes: this.bufferedBytes,
      connected: this.connected,
      connectFailures: this.connectFailures,
    };
  }

  /** Tries to send what is buffered for at most `timeoutMs`, then closes; lines still buffered are counted as dropped. */
  async close(timeoutMs = 1_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.head < this.queue.length && this.connected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.dropped += this.queue.length - this.head;
    this.queue.length = 0;
    this.head = 0;
    this.bufferedBytes = 0;
    const socket = this.socket;
    if (socket === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, Math.max(50, deadline - Date.now()));
      socket.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private connect(): void {
    if (this.closed) return;
    const socket = createConnection({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.unref();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.setTimeout(this.connectTimeoutMs, () => {
      // Only the connection attempt is timed: a connected Logstash may be quiet for a long time.
      if (!this.connected) socket.destroy(new Error('connect timeout'));
    });
    socket.once('connect', () => {
      socket.setTimeout(0);
      this.connected = true;
      this.writable = true;
      this.retryDelayMs = this.minRetryDelayMs;
      this.flush();
    });
    socket.on('drain', () => {
      this.writable = true;
      this.flush();
    });
    // Logstash sends nothing back; reading keeps the socket from stalling if it ever does.
    socket.on('data', () => undefined);
    socket.on('error', () => {
      // Handled by 'close'; without a listener the error would crash the process.
    });
    socket.once('close', () => {
      if (!this.connected) this.connectFailures += 1;
      this.connected = false;
      this.writable = false;
      if (this.socket === socket) this.socket = undefined;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    // Full jitter: many instances losing one Logstash do not reconnect in step.
    const delay = Math.round(this.retryDelayMs / 2 + Math.random() * (this.retryDelayMs / 2));
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.maxRetryDelayMs);
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }

  /** Hands batches to the socket while it accepts them. */
  private flush(): void {
    const socket = this.socket;
    while (this.writable && socket !== undefined && this.head < this.queue.length) {
      let batch = '';
      let lines = 0;
      while (this.head < this.queue.length && (batch.length === 0 || batch.length + (this.queue[this.head]?.length ?? 0) <= BATCH_BYTES)) {
        batch += this.queue[this.head];
        this.queue[this.head] = '';
        this.head += 1;
        lines += 1;
      }
      this.bufferedBytes -= Buffer.byteLength(batch);
      // Counted when handed to the kernel: a connection that breaks afterwards may still lose them.
      this.shipped += lines;
      this.writable = socket.write(batch);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
