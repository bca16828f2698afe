// The User and Ticket Order Services on the Sentinel ring cache, as real
// processes: see service-failures.ts.
import { describeServiceCache } from './service-failures';

describeServiceCache('ring');
