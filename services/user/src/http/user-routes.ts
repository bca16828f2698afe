import { requireIdentity } from '@eticket/auth';
import { userApi } from '@eticket/contracts';
import type { HttpApp } from '@eticket/service-kit';
import type { UserAccounts } from '../app/user-accounts';
import { clientIp } from './client-ip';

/** The `/user*` routes: schema validation and authentication here, everything else in UserAccounts. */
export function registerUserRoutes(app: HttpApp, accounts: UserAccounts): void {
  const { register, login, getUser, listUsers, grantOrganizer, revokeOrganizer } = userApi;

  app.post(register.url, { schema: register.schema }, async (request, reply) => reply.status(201).send(await accounts.register(request.body)));

  app.post(login.url, { schema: login.schema }, (request) => accounts.login(request.body, clientIp(request)));

  app.get(getUser.url, { schema: getUser.schema }, (request) => accounts.getUser(requireIdentity(request), request.params.id));

  app.get(listUsers.url, { schema: listUsers.schema }, (request) => accounts.listUsers(requireIdentity(request), request.query));

  app.put(grantOrganizer.url, { schema: grantOrganizer.schema }, (request) => accounts.grantRole(requireIdentity(request), request.params.id, 'organizer'));

  app.delete(revokeOrganizer.url, { schema: revokeOrganizer.schema }, (request) => accounts.revokeRole(requireIdentity(request), request.params.id, 'organizer'));
}
