/**
 * `relaymon mock --incident-at D --incident-for D` as a real process on
 * 127.0.0.1: healthy before the window, degraded in it (overloaded errors,
 * slow first tokens), healthy after; reproducible with --seed.
 */
import { describe, expect, it } from 'vitest';
import { startMockProcess, type MockProcess } from '../helpers/cli.js';

const FAST = ['--ttft', '0', '--itl', '0', '--tokens', '2'];
const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });

interface Stats {
  requests: number;
  byOutcome: Record<string, number>;
}

async function stats(m: MockProcess): Promise<Stats> {
  return (await (await fetch(m.url.replace(/\/v1$/, '/__relaymon/stats'))).json()) as Stats;
}

/** n requests, one after another (so a seeded mock draws in the same order): their statuses and times to headers. */
async function send(m: MockProcess, n: number): Promise<{ statuses: number[]; slowest: number }> {
  const statuses: number[] = [];
  let slowest = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(`${m.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.text();
    slowest = Math.max(slowest, performance.now() - t0);
    statuses.push(res.status);
  }
  return { statuses, slowest };
}

describe('mock --incident-at/--incident-for', () => {
  it('degrades the requests arriving in the window, identically for the same seed', async () => {
    const mocks = await Promise.all([1, 2].map(() => startMockProcess([...FAST, '--seed', '9', '--incident-at', '0', '--incident-for', '5m'])));
    try {
      // Sequential, and each healthy-looking answer in the window takes ~800 ms: a small N keeps this test short.
      const N = 40;
      const [a, b] = await Promise.all(mocks.map((m) => send(m, N)));
      expect(b!.statuses).toEqual(a!.statuses);
      const errors = a!.statuses.filter((s) => s !== 200).length;
      // 30% overloaded answers (503 on this route; a non-streamed request's in-stream kind is a 503 too), within ±4σ.
      const sigma = Math.sqrt(N * 0.3 * 0.7);
      const st = await stats(mocks[0]!);
      const overloaded = st.byOutcome['overloaded']! + st.byOutcome['stream_overloaded']!;
      expect(Math.abs(overloaded - N * 0.3)).toBeLessThan(4 * sigma);
      expect(errors).toBe(overloaded);
      expect(a!.statuses.every((s) => s === 200 || s === 503)).toBe(true);
      expect(st.byOutcome['rate_limited']).toBe(0);
      // The slow first token: the overloaded scenario's ~800 ms, where the mock is configured for 0.
      expect(a!.slowest).toBeGreaterThan(300);
    } finally {
      await Promise.all(mocks.map((m) => m.stop()));
    }
  }, 120_000);

  it('is healthy before the window and after it', async () => {
    const later = await startMockProcess([...FAST, '--incident-at', '10m', '--incident-for', '1s']);
    const over = await startMockProcess([...FAST, '--incident-at', '0', '--incident-for', '200ms']);
    try {
      await new Promise((r) => setTimeout(r, 300));
      for (const m of [later, over]) {
        const { statuses } = await send(m, 40);
        expect(statuses.every((s) => s === 200)).toBe(true);
        expect((await stats(m)).byOutcome['ok']).toBe(40);
      }
    } finally {
      await Promise.all([later.stop(), over.stop()]);
    }
  }, 60_000);
});
