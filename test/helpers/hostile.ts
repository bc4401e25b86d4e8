import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli, type CliResult } from './cli.js';

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

/** Runs at most `n` of the functions given to it at once, the rest in order as slots free up. */
export function concurrencyLimit(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (fn) => {
    if (running >= n) await new Promise<void>((r) => queue.push(r));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}

export interface BoundedRun {
  /** Null when the process had to be killed. */
  result: CliResult | null;
  /** Why there is no result: the process outlived its bound (or never saw its SIGINT moment) and was killed. */
  killed: string | null;
  wallMs: number;
  /** ms from SIGINT to exit; null when no SIGINT was sent. */
  afterSigintMs: number | null;
  /** Every file in `dir` after the run, by name: what the command wrote. */
  files: Map<string, string>;
}

export interface BoundedRunOptions {
  args: string[];
  env: Record<string, string>;
  /** The run's own directory; every file in it is read back afterwards. */
  dir: string;
  /** Kill the process when it still runs this long after its start, or after its SIGINT when interruptWhen is given. */
  boundMs: number;
  /** SIGINT is sent when this settles (if the process still runs); the process is killed if it never does within 30 s. */
  interruptWhen?: Promise<unknown>;
}

/**
 * The real CLI with a bound on its wall time: a run that outlives it is
 * killed and reported (`killed`) rather than hanging the test, so a table
 * of cases shows every row's outcome.
 */
export async function runCliBounded(opts: BoundedRunOptions): Promise<BoundedRun> {
  const started = Date.now();
  const cli = spawnCli(opts.args, { env: opts.env, timeoutMs: 120_000 });
  let sigintAt: number | null = null;
  let killed: string | null = null;
  let limit: NodeJS.Timeout | undefined;
  const killAfter = (ms: number, what: string): void => {
    clearTimeout(limit);
    limit = setTimeout(() => {
      killed = what;
      cli.child.kill('SIGKILL');
    }, ms);
  };
  if (opts.interruptWhen) {
    killAfter(30_000, 'the moment to send SIGINT never came within 30 s; killed');
    void opts.interruptWhen.then(() => {
      if (cli.child.exitCode !== null || cli.child.signalCode !== null) return;
      sigintAt = Date.now();
      cli.child.kill('SIGINT');
      killAfter(opts.boundMs, `still running ${opts.boundMs} ms after SIGINT; killed`);
    });
  } else {
    killAfter(opts.boundMs, `still running after ${opts.boundMs} ms; killed`);
  }
  let result: CliResult | null = null;
  try {
    result = await cli.exited;
  } catch (err) {
    killed ??= String(err);
  } finally {
    clearTimeout(limit);
  }
  const ended = Date.now();
  const files = new Map(readdirSync(opts.dir).map((f) => [f, readFileSync(join(opts.dir, f), 'utf8')] as const));
  return { result, killed, wallMs: ended - started, afterSigintMs: sigintAt === null ? null : ended - sigintAt, files };
}

/** Every place a secret could leak to: stdout, stderr and every file the run wrote. */
export function outputsOf(run: BoundedRun): [string, string][] {
  return [['stdout', run.result?.stdout ?? ''], ['stderr', run.result?.stderr ?? ''], ...run.files];
}

/** One line on how a run ended, and the start of what it printed: the message of a failed expectation. */
export function describeRun(run: BoundedRun): string {
  const sigint = run.afterSigintMs === null ? '' : `afterSigint=${run.afterSigintMs}ms `;
  return `killed=${run.killed} wall=${run.wallMs}ms ${sigint}code=${run.result?.code} signal=${run.result?.signal}\nstdout: ${run.result?.stdout.slice(0, 1500)}\nstderr: ${run.result?.stderr.slice(0, 1500)}`;
}
