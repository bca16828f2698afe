export { errorHandler, sendProblem, toAppError } from './error-handler';
export { createHttpApp, MAX_PARAM_LENGTH, type HttpApp, type HttpAppOptions } from './http-app';
export { failStartup, installGracefulShutdown, type ShutdownOptions } from './shutdown';
export { collectStatus, registerStatusRoutes, type DependencyCheck, type DependencyReport, type StatusReport } from './status';
export { ProblemSchema } from './problem-schema';
export { createMetricsRegistry, HTTP_DURATION_BUCKETS, registerHttpMetrics, type MetricsRegistryOptions } from './metrics';
export { Periodic } from './periodic';
