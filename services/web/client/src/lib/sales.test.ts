import { describe, expect, it } from 'vitest';
import type { EventView } from '../api/types';
import { salesOf, totalsByCurrency } from './sales';

const event = (total: number, available: number, price: number, currency: string): EventView => ({
  id: `00000000-0000-4000-8000-00000000000${total % 10}`,
  name: 'Show', description: '', date_time: '2031-01-01T20:00:00Z',
  venue: { id: '00000000-0000-4000-8000-0000000000aa', name: 'Hall', location: 'Town', capacity: total },
  total_seats: total, available_seats: available, price, currency, organizer_id: '00000000-0000-4000-8000-0000000000bb', created_at: '2030-01-01T00:00:00Z',
});

describe('organizer sales from the public API', () => {
  it('counts seats no longer available and their worth at the event\'s price', () => {
    expect(salesOf(event(100, 75, 2500, 'EUR'))).toMatchObject({ seatsTaken: 25, share: 0.25, grossMinor: 62_500 });
    expect(salesOf(event(10, 10, 2500, 'EUR'))).toMatchObject({ seatsTaken: 0, share: 0, grossMinor: 0 });
  });

  it('adds up per currency, never across currencies', () => {
    const totals = totalsByCurrency([salesOf(event(10, 5, 1000, 'EUR')), salesOf(event(20, 10, 500, 'JPY')), salesOf(event(4, 2, 300, 'EUR'))]);
    expect(totals).toEqual([{ currency: 'EUR', seatsTaken: 7, grossMinor: 5_600 }, { currency: 'JPY', seatsTaken: 10, grossMinor: 5_000 }]);
  });
});
