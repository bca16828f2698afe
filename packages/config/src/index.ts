export { ConfigError, loadEnv } from './load-config';
export { commaList, LogLevel, NodeEnv, Port, Secret, Url } from './schemas';
