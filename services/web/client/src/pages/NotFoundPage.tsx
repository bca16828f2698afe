import { Link } from 'react-router';
import { usePageTitle } from '../lib/page-title';

export function NotFoundPage() {
  usePageTitle('Page not found');
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page at this address.
        {' '}
        <Link to="/">Browse the events</Link>
        .
      </p>
    </section>
  );
}
