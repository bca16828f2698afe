import { createServer } from 'node:http';

// The floor of bench/arrival-cost.ts: a bare node:http server, no framework,
// that answers GET with 200 (its health check) and a POST by parsing its JSON
// body and answering 202 with a small JSON place, as the gateway answers a
// queued buyer. Listens on BARE_PORT.
const port = Number(process.env.BARE_PORT);
createServer((incoming, answer) => {
  if (incoming.method === 'GET') {
    answer.writeHead(200).end('ok');
    return;
  }
  let text = '';
  incoming.setEncoding('utf8');
  incoming.on('data', (chunk: string) => (text += chunk));
  incoming.on('end', () => {
    const parsed = JSON.parse(text) as { event_id?: unknown };
    answer.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'queued', event_id: parsed.event_id, position: 1 }));
  });
}).listen(port, '127.0.0.1');
