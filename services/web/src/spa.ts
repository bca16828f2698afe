/**
 * What a request path of the UI is:
 * - `asset`: a file Vite emitted under /assets/ with a content hash in its name;
 * - `file`: another file of the build (favicon.svg, robots.txt): its last segment has a dot;
 * - `page`: anything else is a page of the single-page app (/, /events/<id>, /tickets, ...),
 *   answered with index.html. The client's routes never contain a dot.
 */
export function clientPathKind(path: string): 'asset' | 'file' | 'page' {
  if (path.startsWith('/assets/')) return 'asset';
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.includes('.') ? 'file' : 'page';
}
