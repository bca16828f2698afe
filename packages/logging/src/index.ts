export { correlationIdFrom, currentCorrelationId, enterCorrelationId, runWithCorrelationId } from './correlation';
export {
  continueTrace,
  CORRELATION_HEADER,
  currentTrace,
  enterTrace,
  formatTraceparent,
  newSpanId,
  newTraceId,
  parseTraceparent,
  runWithTrace,
  traceHeaders,
  TRACEPARENT_HEADER,
  type TraceContext,
} from './trace-context';
export { createLogger, type Logger, type LoggerSettings } from './logger';
export { censor, REDACTED, REDACTED_PATHS, scrubQuery, scrubText, scrubUrl } from './redaction';
export { LogShipper, type ShipperOptions, type ShipperStats } from './shipper';
export { loadShippingConfig, registerShipperMetrics, ShippingEnv, startServiceLogging, type ServiceLogging, type ShippingConfig } from './shipping';
