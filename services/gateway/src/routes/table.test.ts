import { orderApi, reportsApi, userApi } from '@eticket/contracts';
import { describe, expect, it } from 'vitest';
import { ROUTES } from './table';

describe('gateway route table', () => {
  it('exposes every route of every service contract, each to its own service', () => {
    const exposed = ROUTES.map((route) => `${route.method} ${route.url} → ${route.upstream}`);
    const expected = [
      ...Object.values(userApi).map((route) => `${route.method} ${route.url} → user`),
      ...Object.values(orderApi).map((route) => `${route.method} ${route.url} → order`),
      ...Object.values(reportsApi).map((route) => `${route.method} ${route.url} → etl`),
    ];
    expect(exposed.sort()).toEqual(expected.sort());
  });

  it('gives reads the read deadline and everything else the write deadline', () => {
    for (const route of ROUTES) expect(route.timeout).toBe(route.method === 'GET' ? 'read' : 'write');
  });

  it('serves stale copies only of the event reads, whose answer is the same for every caller', () => {
    expect(ROUTES.filter((route) => route.staleIfError).map((route) => `${route.method} ${route.url}`)).toEqual(['GET /event', 'GET /event/:id']);
  });

  it('opens the reports to admins only', () => {
    const reports = ROUTES.filter((route) => route.upstream === 'etl');
    expect(reports.length).toBe(Object.keys(reportsApi).length);
    for (const route of reports) expect(route).toMatchObject({ auth: 'required', roles: ['admin'] });
  });

  it('leaves only registration, login and event reads open to anonymous callers', () => {
    const open = ROUTES.filter((route) => route.auth !== 'required').map((route) => `${route.method} ${route.url}`);
    expect(open.sort()).toEqual(['GET /event', 'GET /event/:id', 'POST /user/login', 'POST /user/register']);
  });
});
