import { describe, expect, it } from 'vitest';
import { holdSeries, revenueSeries, sellThroughSeries } from './report-series';

describe('report series for the charts', () => {
  it('puts revenue per day and currency in major units, oldest day first, missing currencies at 0', () => {
    const rows = [
      { day: '2031-01-02', currency: 'EUR', payments_succeeded: 2, revenue_minor: 5000, payments_refunded: 0, refunded_minor: 0 },
      { day: '2031-01-01', currency: 'EUR', payments_succeeded: 1, revenue_minor: 2550, payments_refunded: 0, refunded_minor: 0 },
      { day: '2031-01-01', currency: 'JPY', payments_succeeded: 1, revenue_minor: 3000, payments_refunded: 0, refunded_minor: 0 },
    ];
    expect(revenueSeries(rows)).toEqual({
      currencies: ['EUR', 'JPY'],
      points: [{ day: '2031-01-01', EUR: 25.5, JPY: 3000 }, { day: '2031-01-02', EUR: 50, JPY: 0 }],
    });
  });

  it('orders hold outcomes by day', () => {
    const rows = [
      { day: '2031-01-02', holds_ended: 3, orders_expired: 1, seats_released_by_expiry: 2, orders_cancelled: 1, orders_paid: 1, expiry_rate: 1 / 3 },
      { day: '2031-01-01', holds_ended: 1, orders_expired: 0, seats_released_by_expiry: 0, orders_cancelled: 0, orders_paid: 1, expiry_rate: 0 },
    ];
    expect(holdSeries(rows)).toEqual([{ day: '2031-01-01', paid: 1, expired: 0, cancelled: 0 }, { day: '2031-01-02', paid: 1, expired: 1, cancelled: 1 }]);
  });

  it('shortens long event names for the axis', () => {
    const row = { event_id: 'e', event_name: 'A very long event name indeed', event_date: '2031-01-01T00:00:00Z', venue_name: 'v', total_seats: 10, seats_sold: 5, seats_held: 1, seats_unsold: 4, sell_through: 0.5 };
    expect(sellThroughSeries([row])).toEqual([{ name: 'A very long event name indeed', label: 'A very long event…', sold: 5, held: 1, unsold: 4 }]);
  });
});
