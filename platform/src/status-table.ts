// Plain-text table for the terminal: component | address | status.
import type { ComponentRow } from './health';

export function formatTable(rows: ComponentRow[]): string {
  const header = { component: 'COMPONENT', address: 'ADDRESS', status: 'STATUS' };
  const cells = rows.map((r) => ({ component: r.component, address: r.address, status: `${r.healthy ? 'ok  ' : 'FAIL'} ${r.status}` }));
  const width = (key: 'component' | 'address') => Math.max(header[key].length, ...cells.map((c) => c[key].length));
  const wc = width('component');
  const wa = width('address');
  const line = (c: { component: string; address: string; status: string }) => `${c.component.padEnd(wc)}  ${c.address.padEnd(wa)}  ${c.status}`;
  return [line(header), line({ component: '-'.repeat(wc), address: '-'.repeat(wa), status: '-'.repeat(6) }), ...cells.map(line)].join('\n');
}
