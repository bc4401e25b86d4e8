import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface HostileServer {
  /** http://127.0.0.1:PORT/v1 */
  url: string;
  port: number;
  /** Bodies of the requests received, parsed as JSON where possible. */
  requests: { path: string; headers: IncomingMessage['headers']; body: unknown }[];
  close(): Promise<void>;
}

export type HostileHandler = (req: IncomingMessage, res: ServerResponse, body: unknown) => void | Promise<void>;

/** A small server whose behaviour each test writes by hand, on a free loopback port. */
export async function startHostile(handler: HostileHandler): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const requests: HostileServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (raw += d));
    req.on('end', () => {
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        /* keep the raw text */
      }
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      void Promise.resolve(handler(req, res, body)).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
  });
  server.on('connection', (s: Socket) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Write SSE text in pieces with pauses, the way a real relay dribbles a stream. */
export async function writeSlowly(res: ServerResponse, parts: (string | Buffer | { waitMs: number })[]): Promise<void> {
  for (const p of parts) {
    if (typeof p === 'object' && !Buffer.isBuffer(p)) {
      await new Promise((r) => setTimeout(r, p.waitMs));
    } else {
      res.write(p);
    }
  }
}
