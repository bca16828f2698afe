export {
  CORRELATION_HEADER,
  correlationIdFrom,
  currentCorrelationId,
  enterCorrelationId,
  runWithCorrelationId,
} from './correlation';
export { createLogger, REDACTED_PATHS, type Logger, type LoggerSettings } from './logger';
