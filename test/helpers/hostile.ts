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

/** A request the case server saw, and when its response was finished (or its connection dropped). */
export interface CaseRequest {
  caseName: string;
  run: string;
  path: string;
  headers: IncomingMessage['headers'];
  responded: Promise<void>;
}

export interface CaseServer {
  /** http://127.0.0.1:PORT/<caseName>/v1: the base URL that selects a case. */
  urlFor(caseName: string): string;
  port: number;
  requests: CaseRequest[];
  /** Resolves with the first request of `run` (the `x-hostile-run` header) once it has arrived. */
  firstRequest(run: string): Promise<CaseRequest>;
  close(): Promise<void>;
}

/**
 * ONE server for a table of hostile cases: the first path segment names the
 * case (`/<case>/v1/chat/completions`), and the `x-hostile-run` request header
 * (set through the target's config headers) tells apart runs of the same
 * case, so a test can wait for its own run's requests while others go on.
 */
export async function startCaseServer(cases: Record<string, HostileHandler>): Promise<CaseServer> {
  const requests: CaseRequest[] = [];
  const waiters = new Map<string, ((r: CaseRequest) => void)[]>();
  const server = await startHostile(async (req, res, body) => {
    const path = req.url ?? '';
    const caseName = path.split('/')[1] ?? '';
    const run = String(req.headers['x-hostile-run'] ?? '');
    const responded = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const seen: CaseRequest = { caseName, run, path, headers: req.headers, responded };
    requests.push(seen);
    const wake = waiters.get(run);
    waiters.delete(run);
    for (const w of wake ?? []) w(seen);
    const handler = cases[caseName];
    if (!handler) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`no hostile case ${caseName}`);
      return;
    }
    await handler(req, res, body);
  });
  return {
    urlFor: (caseName) => `http://127.0.0.1:${server.port}/${caseName}/v1`,
    port: server.port,
    requests,
    firstRequest(run) {
      const seen = requests.find((r) => r.run === run);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.set(run, [...(waiters.get(run) ?? []), resolve]));
    },
    close: () => server.close(),
  };
}
