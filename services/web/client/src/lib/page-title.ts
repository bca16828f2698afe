import { useEffect } from 'react';

/** Sets the document title (announced by screen readers on navigation). */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · E-Ticket`;
  }, [title]);
}
