import { assertRole, requireIdentity } from '@eticket/auth';
import { MAX_REPORT_DAYS, reportsApi } from '@eticket/contracts';
import type { HttpApp } from '@eticket/service-kit';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { optionalRange, seriesRange } from '../domain/report-range';
import { warehouseError } from '../store/pool';
import * as reports from '../store/reports';
import { openQuarantine, runs } from '../store/run-reports';

/** Series reports without days cover this many, ending today. */
const DEFAULT_DAYS = 30;
/** Quarantined records listed with the run history. */
const QUARANTINE_SHOWN = 20;

const admin = (request: FastifyRequest): void => assertRole(requireIdentity(request), 'admin');
const paging = (query: { limit?: number; offset?: number }): reports.Paging => ({ limit: query.limit ?? 20, offset: query.offset ?? 0 });
const page = <T>(found: reports.Paged<T>, paged: reports.Paging) => ({ items: found.items, limit: paged.limit, offset: paged.offset, total: found.total });

/** Runs a warehouse read, turning an unreachable or slow warehouse into 503/504. */
async function read<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw warehouseError(error);
  }
}

/**
 * The report routes, straight from the contract's table: Fastify validates
 * the query, the caller must be an admin (the gateway checks the role too;
 * this is the service's own check), then one store call answers.
 */
export function registerReportRoutes(app: HttpApp, warehouse: pg.Pool, now: () => Date = () => new Date()): void {
  app.get(reportsApi.salesByEvent.url, { schema: reportsApi.salesByEvent.schema }, async (request) => {
    admin(request);
    const { fromKey, toKey } = optionalRange(request.query);
    const paged = paging(request.query);
    return page(await read(() => reports.salesByEvent(warehouse, { fromKey, toKey, eventId: request.query.event_id ?? null }, paged)), paged);
  });

  app.get(reportsApi.revenueByDay.url, { schema: reportsApi.revenueByDay.schema }, async (request) => {
    admin(request);
    const range = seriesRange(request.query, now(), DEFAULT_DAYS, MAX_REPORT_DAYS);
    const paged = paging(request.query);
    return page(await read(() => reports.revenueByDay(warehouse, range, request.query.currency ?? null, paged)), paged);
  });

  app.get(reportsApi.sellThrough.url, { schema: reportsApi.sellThrough.schema }, async (request) => {
    admin(request);
    const paged = paging(request.query);
    return page(await read(() => reports.sellThrough(warehouse, request.query.event_id ?? null, paged)), paged);
  });

  app.get(reportsApi.conversion.url, { schema: reportsApi.conversion.schema }, async (request) => {
    admin(request);
    const range = seriesRange(request.query, now(), DEFAULT_DAYS, MAX_REPORT_DAYS);
    return read(() => reports.conversion(warehouse, range, request.query.event_id ?? null));
  });

  app.get(reportsApi.holdExpiries.url, { schema: reportsApi.holdExpiries.schema }, async (request) => {
    admin(request);
    const range = seriesRange(request.query, now(), DEFAULT_DAYS, MAX_REPORT_DAYS);
    const paged = paging(request.query);
    return page(await read(() => reports.holdExpiries(warehouse, range, request.query.event_id ?? null, paged)), paged);
  });

  app.get(reportsApi.runs.url, { schema: reportsApi.runs.schema }, async (request) => {
    admin(request);
    const paged = paging(request.query);
    const [found, quarantine] = await read(() => Promise.all([runs(warehouse, paged), openQuarantine(warehouse, QUARANTINE_SHOWN)]));
    return { ...page(found, paged), quarantine };
  });
}
