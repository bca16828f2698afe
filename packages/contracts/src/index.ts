export { ERROR_CODE_METADATA, fromGrpcError, toGrpcError } from './grpc-errors';
export { unaryHandler } from './handler';
export { instrumentGrpc, metricsInterceptor, uninstrumentGrpc } from './grpc-metrics';
export { loadOrderContracts, loadUserContracts, type OrderContracts, type UserContracts } from './load';
export { callUnary, type CallOptions } from './unary';
export * from './http/common';
export * from './http/user-api';
export * from './http/order-api';
export * from './http/reports-api';
