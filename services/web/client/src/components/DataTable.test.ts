import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DataTable } from './DataTable';

const row = createElement('tr', null, createElement('td', null, 'a'), createElement('td', null, 'b'));

describe('DataTable', () => {
  it('renders the scrolling wrapper, caption, one header cell per column and the rows, as the pages wrote them by hand', () => {
    const html = renderToStaticMarkup(createElement(DataTable, { testId: 'nodes', caption: 'Nodes', columns: ['Node', 'Role'], children: row }));
    expect(html).toBe('<div class="table-scroll"><table data-testid="nodes"><caption>Nodes</caption>'
      + '<thead><tr><th scope="col">Node</th><th scope="col">Role</th></tr></thead>'
      + '<tbody><tr><td>a</td><td>b</td></tr></tbody></table></div>');
  });

  it('heads a column with a title only screen readers hear, and adds the footer when given', () => {
    const footer = createElement('tr', null, createElement('th', { scope: 'row' }, 'Total'));
    const html = renderToStaticMarkup(createElement(DataTable, { caption: 'Users', columns: ['Email', { hidden: 'Actions' }], footer, children: row }));
    expect(html).toContain('<table><caption>Users</caption>');
    expect(html).toContain('<th scope="col"><span class="visually-hidden">Actions</span></th>');
    expect(html).toContain('<tfoot><tr><th scope="row">Total</th></tr></tfoot>');
  });
});
