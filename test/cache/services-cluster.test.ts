// The User and Ticket Order Services on the Redis Cluster cache, as real
// processes: see service-failures.ts.
import { describeServiceCache } from './service-failures';

describeServiceCache('cluster');
