import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Notifier, type NotifierOptions } from '../../src/alerts/notifier.js';
import { AlertEvaluator, type AlertTransition } from '../../src/alerts/rules.js';
import { clearSecrets } from '../../src/core/redact.js';
import { FakeWindow, makeRule } from '../unit/alerts/helpers.js';

/** Planted in the webhook URL's query and in the variable its path comes from: must never reach a body or a message. */
const QUERY_SENTINEL = 'QSENTINEL-93f1c2ab';
const ENV_SENTINEL = 'ESENTINEL-5d07e4aa';

interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  raw: string;
}

interface Receiver {
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/** A webhook receiver on loopback; `answer` decides the status of the n-th request (0-based), or hangs on 'hang'. */
async function receiver(answer: (n: number) => number | 'hang' = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = received.length;
      received.push({ url: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      const status = answer(n);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bind one, then let it go. */
async function deadPort(): Promise<number> {
  const r = await receiver();
  await r.close();
  return r.port;
}

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  clearSecrets();
});

const rule = makeRule({ name: 'RelaySlowFirstToken', forMs: 10_000, notify: ['webhook'] });

/** ok → pending → firing → resolved from the real evaluator, on a fake clock. */
function lifecycle(): { firing: AlertTransition[]; resolved: AlertTransition[]; pending: AlertTransition[] } {
  const ev = new AlertEvaluator([rule]);
  const w = new FakeWindow();
  let t = 0;
  const step = (v: number) => {
    t += 5000;
    w.value = v;
    return ev.evaluate(t, w.query);
  };
  step(1203);
  const pending = step(1203);
  step(1250);
  const firing = step(1300);
  step(400);
  step(400);
  const resolved = step(400);
  expect(firing.map((x) => x.to)).toEqual(['firing']);
  expect(resolved.map((x) => x.to)).toEqual(['resolved']);
  return { firing, resolved, pending };
}

function makeNotifier(port: number, over: Partial<NotifierOptions> = {}) {
  const lines: string[] = [];
  const n = new Notifier({
    rules: [rule],
    notify: { webhook: `http://127.0.0.1:${port}/hooks/\${HOOK_PATH}?token=${QUERY_SENTINEL}` },
    env: { HOOK_PATH: ENV_SENTINEL },
    headless: false,
    stderr: (l) => lines.push(l),
    bell: null,
    retryDelaysMs: [50, 100],
    timeoutMs: 2000,
    ...over,
  });
  cleanups.push(() => n.close());
  return { n, lines };
}

function assertNoSecret(text: string): void {
  expect(text).not.toContain(QUERY_SENTINEL);
  expect(text).not.toContain(ENV_SENTINEL);
}

describe('webhook sink over loopback', () => {
  it('delivers firing then resolved with a text field, to the expanded URL, and no secret in any body', async () => {
    const r = await receiver();
    cleanups.push(() => r.close());
    const wall = Date.parse('2026-03-01T12:00:00.000Z');
    const { n, lines } = makeNotifier(r.port, { now: () => wall });
    const { firing, resolved, pending } = lifecycle();
    n.handle(pending);
    n.handle(firing);
    n.handle(resolved);
    await n.flush(10_000);
    expect(r.received).toHaveLength(2);
    // The variable was expanded: the receiver saw the secret path and query, as the user configured.
    for (const got of r.received) {
      expect(got.url).toBe(`/hooks/${ENV_SENTINEL}?token=${QUERY_SENTINEL}`);
      expect(got.headers['content-type']).toBe('application/json');
      assertNoSecret(got.raw);
    }
    const bodies = r.received.map((x) => JSON.parse(x.raw) as Record<string, unknown>);
    expect(bodies.map((b) => b['state'])).toEqual(['firing', 'resolved']);
    expect(bodies[0]?.['text']).toBe('[FIRING] RelaySlowFirstToken: ttft{target:relay}:p(95)<800 breached: 1300ms over 1m');
    expect(bodies[1]?.['text']).toBe('[RESOLVED] RelaySlowFirstToken: ttft{target:relay}:p(95)<800 holds again: 400ms over 1m');
    expect(bodies[0]).toMatchObject({ alert: 'RelaySlowFirstToken', value: 1300, expression: 'ttft{target:relay}:p(95)<800', endsAt: null });
    // Went pending at 10 s and fired at 20 s on the evaluator's clock: startsAt is 10 s before "now" on the wall clock.
    expect(bodies[0]?.['startsAt']).toBe('2026-03-01T11:59:50.000Z');
    expect(bodies[1]?.['endsAt']).toBe('2026-03-01T12:00:00.000Z');
    expect(n.stats()).toEqual({ sent: 2, failed: 0, dropped: 0 });
    expect(lines).toEqual([]);
  });

  it('a receiver that fails twice then succeeds gets exactly one delivery after retries', async () => {
    const r = await receiver((i) => (i < 2 ? 503 : 200));
    cleanups.push(() => r.close());
    const { n, lines } = makeNotifier(r.port);
    n.handle(lifecycle().firing);
    await n.flush(10_000);
    expect(r.received.map((x) => JSON.parse(x.raw).state)).toEqual(['firing', 'firing', 'firing']);
    expect(n.stats()).toEqual({ sent: 1, failed: 0, dropped: 0 });
    expect(lines).toEqual([]);
  });

  it('gives up after the bounded tries and says why without the URL', async () => {
    const r = await receiver(() => 500);
    cleanups.push(() => r.close());
    const { n, lines } = makeNotifier(r.port);
    const { firing, resolved } = lifecycle();
    n.handle(firing);
    n.handle(resolved);
    await n.flush(10_000);
    expect(r.received).toHaveLength(6);
    expect(n.stats()).toEqual({ sent: 0, failed: 2, dropped: 0 });
    // The same problem twice is reported once.
    expect(lines).toEqual(['relaymon: alert webhook: HTTP 500 (gave up after 3 tries)']);
    for (const l of lines) assertNoSecret(l);
    expect(lines.join('\n')).not.toContain('127.0.0.1');
  });

  it('does not retry an answer that will not change (HTTP 404)', async () => {
    const r = await receiver(() => 404);
    cleanups.push(() => r.close());
    const { n, lines } = makeNotifier(r.port);
    n.handle(lifecycle().firing);
    await n.flush(10_000);
    expect(r.received).toHaveLength(1);
    expect(n.stats()).toEqual({ sent: 0, failed: 1, dropped: 0 });
    expect(lines).toEqual(['relaymon: alert webhook: HTTP 404']);
  });

  it('a dead receiver is given up after the bounded tries, and flush honours its timeout meanwhile', async () => {
    const port = await deadPort();
    // Default backoff (0.5 s, 2 s): the tries outlast a short flush.
    const slow = makeNotifier(port, { retryDelaysMs: undefined });
    const t0 = performance.now();
    slow.n.handle(lifecycle().firing);
    const handled = performance.now() - t0;
    await slow.n.flush(300);
    const flushed = performance.now() - t0;
    expect(handled).toBeLessThan(250);
    expect(flushed).toBeGreaterThanOrEqual(290);
    expect(flushed).toBeLessThan(2000);
    expect(slow.n.stats().sent).toBe(0);

    // With short backoff the three tries end well inside the flush timeout.
    const fast = makeNotifier(port);
    fast.n.handle(lifecycle().firing);
    const t1 = performance.now();
    await fast.n.flush(10_000);
    expect(performance.now() - t1).toBeLessThan(5000);
    expect(fast.n.stats()).toEqual({ sent: 0, failed: 1, dropped: 0 });
    expect(fast.lines).toEqual(['relaymon: alert webhook: connection refused (gave up after 3 tries)']);
    assertNoSecret(fast.lines.join('\n'));
  });

  it('a hanging receiver never grows the queue past its cap: the oldest waiting are dropped', async () => {
    const r = await receiver(() => 'hang');
    cleanups.push(() => r.close());
    const { n } = makeNotifier(r.port, { queueCap: 2, timeoutMs: 30_000 });
    const { firing, resolved } = lifecycle();
    for (let i = 0; i < 5; i++) n.handle(i % 2 === 0 ? firing : resolved);
    await until(() => r.received.length === 1, 'the first POST to arrive');
    // One in flight, two waiting, two dropped; handle() returned at once throughout.
    expect(n.stats()).toEqual({ sent: 0, failed: 0, dropped: 2 });
    const t0 = performance.now();
    await n.flush(200);
    expect(performance.now() - t0).toBeLessThan(2000);
    await n.close();
    expect(n.stats().dropped).toBe(5);
    n.handle(firing);
    expect(r.received).toHaveLength(1);
  });
});
