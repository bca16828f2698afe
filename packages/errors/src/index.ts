export { AppError, isAppError, type AppErrorOptions, type FieldError } from './app-error';
export { errorCatalog, isErrorCode, problemType, type ErrorCode, type ErrorDefinition } from './catalog';
export { GrpcCode } from './grpc-codes';
export { fromProblem, toProblem, PROBLEM_CONTENT_TYPE, type Problem } from './problem';
