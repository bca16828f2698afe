// The web UI in real headless Chromium, through the gateway, against real
// services on the real platform: what buyers, organizers and operators do.
// Screenshots of the main pages go to test-artifacts/screenshots/.
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../services/web/src/client-build';
import { DEFAULT_DIST_DIR } from '../../services/web/src/paths';
import { eventually } from '../support/eventually';
import { launchChromium, screenshot } from './browser';
import { WebStack } from './stack';

const run = randomUUID().slice(0, 6);
let stack: WebStack;
let browser: Browser;
const events = { concert: '', soldOut: '', lastSeat: '' };
const names = { concert: `Browser Concert ${run}`, soldOut: `Sold Out Show ${run}`, lastSeat: `Last Seat Night ${run}` };

beforeAll(async () => {
  // The client as `npm start` builds it (skipped when the sources have not changed since the last build).
  const build = await buildClient(DEFAULT_DIST_DIR);
  process.stderr.write(`[web test] client ${build.built ? `built in ${build.ms} ms` : 'up to date'}\n`);
  stack = await WebStack.start();
  browser = await launchChromium();
  events.concert = await stack.event(names.concert, 50, 2_500, 'EUR');
  events.soldOut = await stack.event(names.soldOut, 2, 4_200, 'EUR');
  events.lastSeat = await stack.event(names.lastSeat, 1, 1_000, 'GBP');
  const early = await stack.buyer();
  await stack.order(early.token, events.soldOut, 2, true);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A page whose uncaught errors fail the test (a CSP violation or a crash would show there). */
async function openPage(context?: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await (context ?? browser).newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) errors.push(message.text());
  });
  return { page, errors };
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${stack.url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: email }).waitFor();
}

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).first().textContent()) ?? '';

describe('buyers in the browser', () => {
  it('register, sign in, buy two tickets, see the hold count down, pay, see the order confirmed and the notification arrive as a toast', async () => {
    const { page, errors } = await openPage();
    const email = `ui-${run}@example.test`;
    const password = 'a-browser-password-7';
    await page.goto(`${stack.url}/register`);
    await screenshot(page, 'register');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('signed-in-as').filter({ hasText: email }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    await page.goto(`${stack.url}/login`);
    await screenshot(page, 'login');
    await signIn(page, email, password);

    await page.getByLabel('Search events').fill(names.concert);
    await page.getByRole('button', { name: 'Search' }).click();
    const card = page.getByTestId('event-card').filter({ hasText: names.concert });
    await card.waitFor();
    expect(await card.textContent()).toContain('€25.00');
    expect(await card.getByTestId('seats-left').textContent()).toBe('50 seats left');
    await screenshot(page, 'events');

    await card.getByRole('link', { name: names.concert }).click();
    await page.getByRole('heading', { name: names.concert }).waitFor();
    await page.getByLabel('Tickets').selectOption('2');
    await screenshot(page, 'event');
    await page.getByRole('button', { name: 'Buy for €50.00' }).click();

    await page.getByRole('heading', { name: 'Your seats are held' }).waitFor();
    expect(page.url()).toMatch(/\/tickets\/[0-9a-f-]{36}$/);
    expect(await text(page, 'hold-countdown')).toMatch(/^(9|10):\d\d$/);
    expect(await text(page, 'order-total')).toBe('€50.00');
    await screenshot(page, 'order-held');

    await page.getByLabel('Card').check();
    await page.getByRole('button', { name: 'Pay €50.00' }).click();
    await page.getByRole('heading', { name: 'Your order is confirmed' }).waitFor();
    expect(await text(page, 'order-status')).toBe('paid');
    expect(await text(page, 'payment-status')).toContain('succeeded');
    // The notification arrives over the /notification WebSocket as a toast.
    const toast = page.locator('[data-testid="toast"][data-kind="payment_succeeded"]');
    await toast.first().waitFor();
    expect(await toast.first().textContent()).toContain('Payment received');
    await screenshot(page, 'order-confirmed');

    await page.getByRole('link', { name: 'My tickets' }).first().click();
    const row = page.getByTestId('order-row').filter({ hasText: names.concert });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/2€50\.00paidsucceeded/);
    await screenshot(page, 'tickets');

    // The seats are gone from the event's availability.
    const seats = await stack.call<{ available_seats: number }>('GET', `/event/${events.concert}`);
    expect(seats.body.available_seats).toBe(48);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('refuses a sold-out event politely: no buy button, and a purchase that loses the last seat is refused with a message', async () => {
    const { page, errors } = await openPage();
    const buyer = await stack.buyer();
    await signIn(page, buyer.email, buyer.password);

    await page.goto(`${stack.url}/?q=${encodeURIComponent(names.soldOut)}`);
    const card = page.getByTestId('event-card').filter({ hasText: names.soldOut });
    expect(await card.getByTestId('seats-left').textContent()).toBe('Sold out');
    await card.getByRole('link', { name: names.soldOut }).click();
    await page.getByText('This event is sold out.').waitFor();
    expect(await page.getByRole('button', { name: /^Buy/ }).count()).toBe(0);
    await screenshot(page, 'event-sold-out');

    // The page shows one seat left; someone else takes it before the buyer clicks.
    await page.goto(`${stack.url}/events/${events.lastSeat}`);
    expect(await text(page, 'seats-left')).toBe('1 seat left of 1');
    const rival = await stack.buyer();
    await stack.order(rival.token, events.lastSeat, 1);
    const buy = page.getByRole('button', { name: 'Buy for £10.00' });
    // Normally the click wins the race against the page's refresh and the service refuses it; should the
    // page have learnt of the sale first, it shows the event sold out instead. Either way: refused, politely.
    if (await buy.isVisible()) await buy.click().catch(() => undefined);
    const refusal = page.locator('[data-problem="sold_out"], .sold-out-message');
    await refusal.first().waitFor();
    expect(await refusal.first().textContent()).toMatch(/sold out/i);
    await screenshot(page, 'event-refused');
    // A refused order is recorded as rejected; nothing holds a seat for this buyer.
    const orders = await stack.call<{ items: { event_id: string; order_status: string }[] }>('GET', '/order', { token: buyer.token });
    expect(orders.body.items.filter((order) => order.event_id === events.lastSeat && order.order_status !== 'rejected')).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('says when the order service is unavailable and lets the buyer retry the same purchase', async () => {
    const { page, errors } = await openPage();
    const buyer = await stack.buyer();
    await signIn(page, buyer.email, buyer.password);
    await page.goto(`${stack.url}/events/${events.concert}`);
    await page.getByRole('heading', { name: names.concert }).waitFor();

    await stack.stopService('order');
    try {
      await page.getByRole('button', { name: 'Buy for €25.00' }).click();
      const notice = page.getByRole('alert').filter({ hasText: 'Service temporarily unavailable' });
      await notice.waitFor();
      await screenshot(page, 'error-unavailable');
    } finally {
      await stack.startOrder();
    }
    await stack.waitForUpstreams(['order']);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Your seats are held' }).waitFor();
    const orders = await stack.call<{ items: { event_id: string }[] }>('GET', '/order', { token: buyer.token });
    expect(orders.body.items.filter((order) => order.event_id === events.concert)).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('waits in line behind a full waiting room, showing the place and the estimate, and buys the moment the turn comes', async () => {
    const { page, errors } = await openPage();
    const buyer = await stack.buyer();
    const eventId = await stack.event(`On-sale Rush ${run}`, 20, 3_000, 'EUR');
    await signIn(page, buyer.email, buyer.password);
    await page.goto(`${stack.url}/events/${eventId}`);
    await page.getByRole('heading', { name: `On-sale Rush ${run}` }).waitFor();

    // Other buyers' orders in flight fill every slot the room has (its limit is at most 256 per event).
    const rush = await stack.fillWaitingRoom(eventId, 256);
    try {
      await page.getByRole('button', { name: 'Buy for €30.00' }).click();
      const place = page.getByTestId('queue-place');
      await place.waitFor();
      expect(await place.textContent()).toMatch(/You are number 1 in line \(about \d+ s\); keep this page open\./);
      // No seats are held yet, and the page does not say so.
      await page.getByRole('button', { name: 'Waiting in line…' }).waitFor();
      await screenshot(page, 'waiting-room');
      // Nothing was ordered while the buyer waits.
      const waiting = await stack.call<{ items: unknown[] }>('GET', '/order', { token: buyer.token });
      expect(waiting.body.items).toEqual([]);
    } finally {
      await rush.finish();
    }
    // Those orders finish and the next buyer arrives: the room admits the head of the line, the page's held poll
    // hears of it, and the same purchase goes through.
    const next = await stack.buyer();
    await stack.order(next.token, eventId, 1);
    await page.getByRole('heading', { name: 'Your seats are held' }).waitFor();
    expect(page.url()).toMatch(/\/tickets\/[0-9a-f-]{36}$/);
    const orders = await stack.call<{ items: { event_id: string; order_status: string }[] }>('GET', '/order', { token: buyer.token });
    expect(orders.body.items.map((order) => [order.event_id, order.order_status])).toEqual([[eventId, 'pending_payment']]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('fits a phone screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const { page, errors } = await openPage(context);
    await page.goto(`${stack.url}/?q=${encodeURIComponent(names.concert)}`);
    await page.getByTestId('event-card').first().waitFor();
    // Evaluated in the page (a string: this file is compiled without the DOM types).
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    await screenshot(page, 'events-phone');
    await page.goto(`${stack.url}/events/${events.concert}`);
    await page.getByRole('heading', { name: names.concert }).waitFor();
    await screenshot(page, 'event-phone');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('organizers in the browser', () => {
  it('create an event and see its sales', async () => {
    const organizer = await stack.buyer();
    const admin = await stack.login(stack.admin.email, stack.admin.password);
    expect((await stack.call('PUT', `/user/${organizer.userId}/roles/organizer`, { token: admin.token })).status).toBe(200);
    const { page, errors } = await openPage();
    await signIn(page, organizer.email, organizer.password);
    await page.getByRole('link', { name: 'Organizer' }).click();

    const name = `Organizer Gala ${run}`;
    const start = new Date(Date.now() + 30 * 86_400_000);
    const local = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}-${String(start.getDate()).padStart(2, '0')}T20:00`;
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Description').fill('A gala created in a real browser.');
    await page.getByLabel('Starts at').fill(local);
    await page.getByLabel('Venue', { exact: true }).fill('Gala Hall');
    await page.getByLabel('Location').fill('Loopback Street 1');
    await page.getByLabel('Venue capacity').fill('200');
    await page.getByLabel('Seats on sale').fill('120');
    await page.getByLabel('Ticket price').fill('19.90');
    await page.getByLabel('Currency (ISO 4217)').fill('EUR');
    await page.getByRole('button', { name: 'Create event' }).click();
    await page.getByRole('status').filter({ hasText: `Created ${name}: 120 seats at €19.90` }).waitFor();

    const row = page.getByTestId('organizer-event-row').filter({ hasText: name });
    await row.waitFor();
    expect(await row.textContent()).toContain('0 of 120');
    const href = await row.getByRole('link', { name }).getAttribute('href');
    const eventId = href?.split('/').pop() ?? '';
    const buyer = await stack.buyer();
    await stack.order(buyer.token, eventId, 3, true);
    // The sales table refreshes itself.
    await row.filter({ hasText: '3 of 120' }).waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('€59.70');
    await screenshot(page, 'organizer');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

describe('operators in the browser', () => {
  it('see every instance and breaker, PostgreSQL roles and lag, cache nodes, ETL runs and the warehouse reports as charts', async () => {
    const { page, errors } = await openPage();
    await signIn(page, stack.admin.email, stack.admin.password);
    await page.getByRole('link', { name: 'Operator' }).click();
    await page.getByTestId('overall-status').waitFor();

    const instances = page.getByTestId('instance-row');
    await instances.first().waitFor();
    const rows = await instances.allTextContents();
    for (const instance of ['web-user-1', 'web-order-1', 'web-etl-1', 'web-ui-1']) expect(rows.some((row) => row.includes(instance) && row.includes('closed')), instance).toBe(true);

    const postgres = await page.getByTestId('postgres').locator('tbody tr').allTextContents();
    expect(postgres).toHaveLength(3);
    expect(postgres.filter((row) => row.includes('primary'))).toHaveLength(1);
    expect(postgres.filter((row) => row.includes('standby'))).toHaveLength(2);
    expect(await page.getByTestId('cache-nodes').locator('tbody tr').count()).toBe(6);

    // The ETL loads every 5 s; the first run may take a while on a platform other tests have filled.
    await eventually('the warehouse to show this run\'s sales', async () => {
      await page.reload();
      await page.getByTestId('etl-runs').locator('tbody tr').first().waitFor();
      await page.getByTestId('chart-revenue').waitFor();
      return (await page.getByTestId('chart-revenue').locator('.recharts-wrapper').count()) > 0
        && (await page.getByTestId('chart-sell-through').locator('.recharts-wrapper').count()) > 0 ? true : undefined;
    }, 120_000, 3_000);
    for (const chart of ['chart-conversion', 'chart-holds']) expect(await page.getByTestId(chart).locator('.recharts-wrapper').count(), chart).toBe(1);
    expect(await page.getByTestId('chart-revenue').locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    await screenshot(page, 'operator');
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
