import type { FastifyInstance, onRequestHookHandler } from 'fastify';

/** The response headers helmet sets with its defaults. */
const HELMET_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

/**
 * Helmet's headers for the proxied routes, computed once. @fastify/helmet
 * builds a new helmet middleware (parsing the CSP directives again) on every
 * request, a noticeable share of the gateway's CPU per proxied request; the
 * headers never change, so the proxied routes skip the plugin (`helmet:
 * false`) and this hook sets the same headers, captured from one answer the
 * plugin produced at start-up (`capture`, after the app is ready). Other
 * routes (/docs, /status) keep the plugin.
 */
export class SecurityHeaders {
  private headers: Record<string, string> = {};

  readonly hook: onRequestHookHandler = (_request, reply, done) => {
    void reply.headers(this.headers);
    done();
  };

  async capture(app: FastifyInstance, probeUrl: string): Promise<void> {
    const probe = await app.inject({ method: 'GET', url: probeUrl });
    const captured: Record<string, string> = {};
    for (const name of HELMET_HEADERS) {
      const value = probe.headers[name];
      if (typeof value === 'string') captured[name] = value;
    }
    if (captured['x-content-type-options'] === undefined) throw new Error(`no helmet headers on ${probeUrl}: is @fastify/helmet registered?`);
    this.headers = captured;
  }
}
