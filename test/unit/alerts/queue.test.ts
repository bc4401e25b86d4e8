/**
 * The delivery queue of a remote alert sink (src/alerts/sinks/queue.ts) against
 * a real receiver on loopback whose answers each test scripts: order, one POST
 * in flight, retries with their back-off, the cap, coalescing and close().
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from 'undici';
import { createNotifyDispatcher } from '../../../src/alerts/sinks/http.js';
import { DeliveryQueue, type DeliveryOptions, type DeliveryReport } from '../../../src/alerts/sinks/queue.js';
import { freePort, until } from '../../helpers/net.js';

/** What the receiver does with one request: answer with a status, or hold it until released. */
type Answer = number | 'hold';

interface Arrival {
  body: unknown;
  at: number;
}

/** A webhook receiver that answers from a script (the last entry repeats) and records what arrived. */
class Receiver {
  readonly arrivals: Arrival[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly held: ServerResponse[] = [];
  private readonly arrivalWaiters: { n: number; resolve: () => void }[] = [];
  private server: Server | null = null;

  constructor(private readonly script: Answer[]) {}

  async start(): Promise<URL> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return new URL(`http://127.0.0.1:${port}/hook`);
  }

  /** Resolves once `n` requests have arrived. */
  arrived(n: number): Promise<void> {
    if (this.arrivals.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.arrivalWaiters.push({ n, resolve }));
  }

  /** Answers every held request with this status. */
  release(status = 200): void {
    for (const res of this.held.splice(0)) this.answer(res, status);
  }

  async stop(): Promise<void> {
    this.release(200);
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const answer = this.script[Math.min(this.arrivals.length, this.script.length - 1)] ?? 200;
    this.arrivals.push({ body: JSON.parse(text) as unknown, at: performance.now() });
    for (const w of this.arrivalWaiters.filter((x) => this.arrivals.length >= x.n)) w.resolve();
    res.on('close', () => this.inFlight--);
    if (answer === 'hold') this.held.push(res);
    else this.answer(res, answer);
  }

  private answer(res: ServerResponse, status: number): void {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  }
}

const OPTS: DeliveryOptions = { cap: 10, retryDelaysMs: [], timeoutMs: 5_000 };

let receiver: Receiver | null = null;
let dispatcher: Dispatcher | null = null;
let queue: DeliveryQueue | null = null;

afterEach(async () => {
  queue?.close();
  await receiver?.stop();
  await dispatcher?.destroy().catch(() => undefined);
  receiver = null;
  dispatcher = null;
  queue = null;
});

async function setUp(script: Answer[], opts: Partial<DeliveryOptions> = {}, url?: URL): Promise<{ q: DeliveryQueue; r: Receiver; reports: DeliveryReport[] }> {
  receiver = new Receiver(script);
  const started = await receiver.start();
  // An empty environment: no proxy between the queue and the loopback receiver.
  dispatcher = createNotifyDispatcher({}, 2_000);
  const reports: DeliveryReport[] = [];
  queue = new DeliveryQueue({ url: url ?? started, headers: {} }, dispatcher, { ...OPTS, ...opts }, (r) => reports.push(r));
  return { q: queue, r: receiver, reports };
}

const bodies = (r: Receiver): unknown[] => r.arrivals.map((a) => a.body);

describe('DeliveryQueue', () => {
  it('delivers in the order pushed, one POST in flight at a time', async () => {
    const { q, r, reports } = await setUp([200]);
    for (const n of [1, 2, 3, 4]) q.push(`k${n}`, { n }, false);
    expect(q.pending()).toBe(4);
    await q.idle();
    expect(bodies(r)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(r.maxInFlight).toBe(1);
    expect(q.counts).toEqual({ sent: 4, failed: 0, dropped: 0 });
    expect(reports).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
    expect(q.pending()).toBe(0);
  });

  it('idle() resolves at once when nothing was pushed', async () => {
    const { q } = await setUp([200]);
    await q.idle();
    expect(q.pending()).toBe(0);
  });

  it('retries 503 and 429 after the configured waits, then counts one success', async () => {
    const { q, r, reports } = await setUp([503, 429, 200], { retryDelaysMs: [30, 60] });
    q.push('k', { alert: 'firing' }, false);
    await q.idle();
    expect(r.arrivals).toHaveLength(3);
    expect(bodies(r)).toEqual([{ alert: 'firing' }, { alert: 'firing' }, { alert: 'firing' }]);
    // A timer never fires before its time (1 ms for timer rounding); later is only load.
    const gaps = [r.arrivals[1]!.at - r.arrivals[0]!.at, r.arrivals[2]!.at - r.arrivals[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(29);
    expect(gaps[1]).toBeGreaterThanOrEqual(59);
    expect(q.counts).toEqual({ sent: 1, failed: 0, dropped: 0 });
    expect(reports).toEqual([{ ok: true }]);
  });

  it('gives up after delays + 1 tries and reports the last reason', async () => {
    const { q, r, reports } = await setUp([500], { retryDelaysMs: [5, 5] });
    q.push('k', { n: 1 }, false);
    await q.idle();
    expect(r.arrivals).toHaveLength(3);
    expect(reports).toEqual([{ ok: false, reason: 'HTTP 500', tries: 3 }]);
    expect(q.counts).toEqual({ sent: 0, failed: 1, dropped: 0 });
  });

  it('does not retry an answer that a retry would not change (400, 404)', async () => {
    const { q, r, reports } = await setUp([400, 404], { retryDelaysMs: [5, 5] });
    q.push('a', { n: 1 }, false);
    q.push('b', { n: 2 }, false);
    await q.idle();
    expect(r.arrivals).toHaveLength(2);
    expect(reports).toEqual([
      { ok: false, reason: 'HTTP 400', tries: 1 },
      { ok: false, reason: 'HTTP 404', tries: 1 },
    ]);
    expect(q.counts).toEqual({ sent: 0, failed: 2, dropped: 0 });
  });

  it('a failed notification does not stop the ones behind it', async () => {
    const { q, r, reports } = await setUp([400, 200]);
    q.push('a', { n: 1 }, false);
    q.push('b', { n: 2 }, false);
    await q.idle();
    expect(bodies(r)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(reports).toEqual([{ ok: false, reason: 'HTTP 400', tries: 1 }, { ok: true }]);
  });

  it('retries a refused connection and names it without the URL', async () => {
    const port = await freePort();
    const { q, reports } = await setUp([200], { retryDelaysMs: [5] }, new URL(`http://127.0.0.1:${port}/secret-path`));
    q.push('k', { n: 1 }, false);
    await q.idle();
    expect(reports).toEqual([{ ok: false, reason: 'connection refused', tries: 2 }]);
    expect(JSON.stringify(reports)).not.toContain('secret-path');
    expect(q.counts).toEqual({ sent: 0, failed: 1, dropped: 0 });
  });

  it('a receiver that never answers times out per try', async () => {
    const { q, r, reports } = await setUp(['hold'], { timeoutMs: 150 });
    q.push('k', { n: 1 }, false);
    await q.idle();
    expect(r.arrivals).toHaveLength(1);
    expect(reports).toEqual([{ ok: false, reason: 'timed out after 150ms', tries: 1 }]);
  });

  it('past the cap, drops the oldest waiting notification, never the one in flight', async () => {
    const { q, r } = await setUp(['hold', 200], { cap: 2 });
    q.push('a', { n: 'a' }, false);
    await r.arrived(1);
    q.push('b', { n: 'b' }, false);
    q.push('c', { n: 'c' }, false);
    q.push('d', { n: 'd' }, false);
    expect(q.counts.dropped).toBe(1);
    expect(q.pending()).toBe(3);
    r.release();
    await q.idle();
    expect(bodies(r)).toEqual([{ n: 'a' }, { n: 'c' }, { n: 'd' }]);
    expect(q.counts).toEqual({ sent: 3, failed: 0, dropped: 1 });
  });

  it('a cap of 0 (or below) keeps nothing waiting: each push is dropped', async () => {
    const { q, r } = await setUp([200], { cap: -1 });
    q.push('a', { n: 1 }, false);
    await q.idle();
    expect(r.arrivals).toHaveLength(0);
    expect(q.counts).toEqual({ sent: 0, failed: 0, dropped: 1 });
  });

  it('coalescing replaces a waiting notification with the same key; that is not a loss', async () => {
    const { q, r } = await setUp(['hold', 200]);
    q.push('first', { n: 0 }, false);
    await r.arrived(1);
    q.push('rule', { state: 'firing' }, true);
    q.push('other', { state: 'x' }, true);
    q.push('rule', { state: 'resolved' }, true);
    expect(q.pending()).toBe(3);
    r.release();
    await q.idle();
    // The newer state takes the end of the line: order is by the latest push.
    expect(bodies(r)).toEqual([{ n: 0 }, { state: 'x' }, { state: 'resolved' }]);
    expect(q.counts).toEqual({ sent: 3, failed: 0, dropped: 0 });
  });

  it('without coalescing, the same key is delivered twice', async () => {
    const { q, r } = await setUp(['hold', 200]);
    q.push('first', { n: 0 }, false);
    await r.arrived(1);
    q.push('rule', { state: 'firing' }, false);
    q.push('rule', { state: 'resolved' }, false);
    r.release();
    await q.idle();
    expect(bodies(r)).toEqual([{ n: 0 }, { state: 'firing' }, { state: 'resolved' }]);
  });

  it('close() aborts the POST in flight and drops what waits, without reporting a failure', async () => {
    const { q, r, reports } = await setUp(['hold']);
    q.push('a', { n: 1 }, false);
    await r.arrived(1);
    q.push('b', { n: 2 }, false);
    q.push('c', { n: 3 }, false);
    q.close();
    await q.idle();
    expect(q.counts).toEqual({ sent: 0, failed: 0, dropped: 3 });
    expect(reports).toEqual([]);
    expect(q.pending()).toBe(0);
    // After close, a push is counted as dropped and never sent.
    q.push('d', { n: 4 }, false);
    expect(q.counts.dropped).toBe(4);
    await q.idle();
    expect(r.arrivals).toHaveLength(1);
  });

  it('close() during a back-off wait ends it at once instead of waiting it out', async () => {
    const { q, r, reports } = await setUp([500], { retryDelaysMs: [60_000] });
    q.push('a', { n: 1 }, false);
    await r.arrived(1);
    // The 500 has gone back: the queue is in (or entering) its 60 s wait.
    await until(async () => (r.inFlight === 0 ? true : null), 'the 500 to be answered');
    const t0 = performance.now();
    q.close();
    await q.idle();
    // Far under the 60 s wait; the bound is generous for a loaded machine.
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(r.arrivals).toHaveLength(1);
    expect(q.counts).toEqual({ sent: 0, failed: 0, dropped: 1 });
    expect(reports).toEqual([]);
  });
});
