import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString, LogFn, Logger } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LogArgs = Parameters<LogFn>;

/**
 * The per-request logger (`request.log`), made only when the request logs
 * something at an enabled level. Fastify gives every request a pino child
 * (`{ reqId }`); with redaction configured pino runs the redactor over those
 * bindings on each child, a measurable share of a proxied request's CPU in
 * the gateway, while at production level (warn) almost no request writes a
 * line. A disabled level returns at once; the first enabled call makes the
 * real child, with the same bindings and options, so lines are unchanged.
 */
class LazyRequestLogger {
  private made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  // Methods on the prototype, not arrow properties: nothing is allocated per request but this object.
  fatal(...args: LogArgs): void {
    this.write('fatal', args);
  }

  error(...args: LogArgs): void {
    this.write('error', args);
  }

  warn(...args: LogArgs): void {
    this.write('warn', args);
  }

  info(...args: LogArgs): void {
    this.write('info', args);
  }

  debug(...args: LogArgs): void {
    this.write('debug', args);
  }

  trace(...args: LogArgs): void {
    this.write('trace', args);
  }

  silent(): void {
    // nothing, like pino's
  }

  get level(): LevelWithSilentOrString {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.real().level = level;
  }

  get msgPrefix(): string | undefined {
    return this.real().msgPrefix;
  }

  isLevelEnabled(level: string): boolean {
    return this.made?.isLevelEnabled(level) ?? this.parent.isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.real().child(bindings, options);
  }

  private real(): Logger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  private write(level: Level, args: LogArgs): void {
    if (!this.isLevelEnabled(level)) return;
    this.real()[level](...args);
  }
}

/**
 * Fastify's childLoggerFactory: a lazy child, unless the route changes the
 * level or serializers (then the child differs from its parent: made at once).
 */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  const parent = logger as FastifyBaseLogger & Partial<Pick<Logger, 'isLevelEnabled'>>;
  if (options.level !== undefined || options.serializers !== undefined || typeof parent.isLevelEnabled !== 'function') return logger.child(bindings, options);
  return new LazyRequestLogger(parent as unknown as Logger, bindings, options);
}
