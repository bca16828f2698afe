import type { ReactNode } from 'react';

/** How a column is headed: its title, or a title only screen readers hear (e.g. a column of buttons). */
export type Column = string | { readonly hidden: string };

/**
 * A captioned table that scrolls sideways on a narrow screen, with one
 * header row of column titles; the rows (and an optional footer) are the
 * caller's.
 */
export function DataTable({ caption, columns, testId, footer, children }: {
  caption: ReactNode;
  columns: readonly Column[];
  /** data-testid of the table, for the browser tests. */
  testId?: string;
  footer?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (typeof column === 'string'
              ? <th key={column} scope="col">{column}</th>
              : <th key={column.hidden} scope="col"><span className="visually-hidden">{column.hidden}</span></th>))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
        {footer === undefined ? null : <tfoot>{footer}</tfoot>}
      </table>
    </div>
  );
}
