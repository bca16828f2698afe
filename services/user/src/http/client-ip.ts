import type { FastifyRequest } from 'fastify';

const IP_TEXT = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * The caller's address for login throttling. The gateway overwrites
 * `x-forwarded-for` with the address it saw (a client cannot choose it), and
 * this service is reachable only from inside the deployment; a direct caller
 * without the header is throttled by its socket address.
 */
export function clientIp(request: FastifyRequest): string {
  const forwarded = request.headers['x-forwarded-for'];
  const first = (typeof forwarded === 'string' ? forwarded : '').split(',')[0]?.trim() ?? '';
  return IP_TEXT.test(first) ? first : request.ip;
}
