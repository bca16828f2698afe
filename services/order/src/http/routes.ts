import { requireIdentity } from '@eticket/auth';
import { orderApi } from '@eticket/contracts';
import type { HttpApp } from '@eticket/service-kit';
import type { Orders } from '../domain/orders';
import type { Payments } from '../domain/payments';
import { toOrderView, toPaymentView } from './views';

/**
 * The public routes, straight from the contracts' route table: Fastify
 * validates with its schemas, each handler authenticates and delegates in
 * one line, errors become problem+json in service-kit's error handler.
 */
export function registerRoutes(app: HttpApp, orders: Orders, payments: Payments): void {
  app.post(orderApi.placeOrder.url, { schema: orderApi.placeOrder.schema }, async (request, reply) => {
    const order = await orders.place(requireIdentity(request), request.headers['idempotency-key'], { eventId: request.body.event_id, quantity: request.body.quantity });
    return reply.status(201).send(toOrderView(order));
  });

  app.get(orderApi.listOrders.url, { schema: orderApi.listOrders.schema }, async (request) => {
    const limit = request.query.limit ?? 20;
    const offset = request.query.offset ?? 0;
    const page = await orders.list(requireIdentity(request), limit, offset);
    return { items: page.items.map(toOrderView), limit, offset, total: page.total };
  });

  app.get(orderApi.getOrder.url, { schema: orderApi.getOrder.schema }, async (request) =>
    toOrderView(await orders.get(requireIdentity(request), request.params.id)));

  app.post(orderApi.cancelOrder.url, { schema: orderApi.cancelOrder.schema }, async (request) =>
    toOrderView(await orders.cancel(requireIdentity(request), request.params.id)));

  app.post(orderApi.pay.url, { schema: orderApi.pay.schema }, async (request, reply) =>
    reply.status(201).send(toPaymentView(await payments.pay(requireIdentity(request), request.headers['idempotency-key'], {
      orderId: request.body.order_id,
      method: request.body.payment_method,
      ...(request.body.amount === undefined ? {} : { amountMinor: request.body.amount }),
    }))));

  app.get(orderApi.getPayment.url, { schema: orderApi.getPayment.schema }, async (request) =>
    toPaymentView(await payments.get(requireIdentity(request), request.params.id)));
}
