export {
  CORRELATION_HEADER,
  correlationIdFrom,
  currentCorrelationId,
  enterCorrelationId,
  runWithCorrelationId,
} from './correlation';
export { createLogger, REDACTED_PATHS, scrubTokens, type Logger, type LoggerSettings } from './logger';
