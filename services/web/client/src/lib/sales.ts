import type { EventView } from '../api/types';

/**
 * What an organizer can know of their sales from the public API alone: seats
 * no longer available were sold or are held for a payment in progress (the
 * split, and paid revenue, are in the warehouse reports, which are for
 * admins). The gross figure is those seats at the event's price, an upper
 * bound of the revenue until the holds end.
 */
export interface EventSales {
  readonly event: EventView;
  readonly seatsTaken: number;
  /** 0..1 */
  readonly share: number;
  /** Minor units of the event's currency. */
  readonly grossMinor: number;
}

export function salesOf(event: EventView): EventSales {
  const seatsTaken = Math.max(0, event.total_seats - event.available_seats);
  return { event, seatsTaken, share: event.total_seats === 0 ? 0 : seatsTaken / event.total_seats, grossMinor: seatsTaken * event.price };
}

/** Totals per currency (never adding two currencies), in a stable order. */
export function totalsByCurrency(sales: readonly EventSales[]): { currency: string; seatsTaken: number; grossMinor: number }[] {
  const totals = new Map<string, { currency: string; seatsTaken: number; grossMinor: number }>();
  for (const sale of sales) {
    const total = totals.get(sale.event.currency) ?? { currency: sale.event.currency, seatsTaken: 0, grossMinor: 0 };
    totals.set(sale.event.currency, { ...total, seatsTaken: total.seatsTaken + sale.seatsTaken, grossMinor: total.grossMinor + sale.grossMinor });
  }
  return [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}
