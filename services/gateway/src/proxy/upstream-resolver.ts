/** The services behind the gateway. */
export const UPSTREAMS = ['user', 'order'] as const;
export type UpstreamName = (typeof UPSTREAMS)[number];

/**
 * Picks the instance a request goes to. Today a fixed URL per service; a
 * discovery-backed resolver with load balancing and breakers (a later issue)
 * implements the same interface.
 */
export interface UpstreamResolver {
  /** Origin (`http://host:port`) of the instance to send the next request for `upstream` to. */
  resolve(upstream: UpstreamName): string;
  /** Every upstream with an origin to probe, for the gateway's /status. */
  describe(): ReadonlyArray<{ readonly name: UpstreamName; readonly origin: string }>;
}

export class StaticUpstreamResolver implements UpstreamResolver {
  private readonly origins: Readonly<Record<UpstreamName, string>>;

  constructor(urls: Readonly<Record<UpstreamName, string>>) {
    // Origins only: a path in a configured URL would silently be dropped by the proxy otherwise.
    this.origins = { user: new URL(urls.user).origin, order: new URL(urls.order).origin };
  }

  resolve(upstream: UpstreamName): string {
    return this.origins[upstream];
  }

  describe(): ReadonlyArray<{ name: UpstreamName; origin: string }> {
    return UPSTREAMS.map((name) => ({ name, origin: this.origins[name] }));
  }
}
