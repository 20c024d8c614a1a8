import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a receiver got: the raw body as text, and the headers. */
export interface Received {
  body: string;
  headers: IncomingHttpHeaders;
  json: any;
}

/**
 * A real HTTP endpoint for webhook tests (node:http on a free port). `answer`
 * decides each response from the request's index; a handler that never ends
 * the response makes a hanging endpoint.
 */
export async function startReceiver(answer: (res: ServerResponse, index: number) => void = (res) => res.writeHead(200).end('ok')) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ body, headers: req.headers, json: JSON.parse(body) });
      answer(res, received.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/chorus`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
    },
  };
}

/**
 * Polls `check` until it returns a value, for state another process changes
 * over time (a delivery log): no fixed sleeps, and a generous overall bound.
 */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
