import { orderApi, userApi } from '@eticket/contracts';
import { describe, expect, it } from 'vitest';
import { ROUTES } from './table';

describe('gateway route table', () => {
  it('exposes every route of every service contract, each to its own service', () => {
    const exposed = ROUTES.map((route) => `${route.method} ${route.url} → ${route.upstream}`);
    const expected = [
      ...Object.values(userApi).map((route) => `${route.method} ${route.url} → user`),
      ...Object.values(orderApi).map((route) => `${route.method} ${route.url} → order`),
    ];
    expect(exposed.sort()).toEqual(expected.sort());
  });

  it('leaves only registration, login and event reads open to anonymous callers', () => {
    const open = ROUTES.filter((route) => route.auth !== 'required').map((route) => `${route.method} ${route.url}`);
    expect(open.sort()).toEqual(['GET /event', 'GET /event/:id', 'POST /user/login', 'POST /user/register']);
  });
});
