import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { runCountJob, textHead, type CountJob } from '../../../src/tokens/count-job.js';
import { TokenCounter } from '../../../src/tokens/counter.js';
import { countPair } from '../../helpers/count-pair.js';

const out = (text: string) => ({ content: textHead(text), tool: textHead(''), reasoning: textHead('') });
const job = (text: string, body: Record<string, unknown> | null = null) => ({ model: 'gpt-4o', body, output: out(text) });
const chat = (content: string) => ({ model: 'gpt-4o', messages: [{ role: 'user', content }], max_tokens: 16 });

const stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

const pair = (opts: { idleMs?: number; sliceMs?: number } = {}) => countPair(stops, opts);

describe('the count host, over a MessagePort', () => {
  it('answers count jobs with the counts runCountJob makes', async () => {
    const { counter, host } = pair();
    const answers = await Promise.all([counter.count(job('Hello there')), counter.count(job('Reply with OK', chat('Reply with OK'))), counter.count(job('中文字符测试'))]);
    expect(answers.map((a) => a?.output?.visible)).toEqual([2, 3, 3]);
    const direct = runCountJob({ ...job('x', chat('Reply with OK')), id: 1, budgetMs: 500, expiresAt: Date.now() + 10_000 } as CountJob);
    expect(answers[1]?.prompt).toEqual(!direct.expired && direct.prompt);
    expect(host.holdingTables).toBe(true);
  });

  it('takes the jobs of one turn in one message, and answers them in one', async () => {
    const { counter, host } = pair();
    await counter.warm('gpt-4o');
    const before = { ...host.stats };
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => counter.count(job(`answer number ${i}`))));
    expect(answers.every((a) => a !== null && a.output !== null)).toBe(true);
    expect(host.stats.jobs - before.jobs).toBe(40);
    expect(host.stats.batchesIn - before.batchesIn).toBe(1);
    // One, or a few when the host's 4 ms slice ran out on a loaded machine: never one per job.
    expect(host.stats.batchesOut - before.batchesOut).toBeLessThanOrEqual(4);
  });

  it('counts a prompt once: the same body again (another spec object, same text) is answered from its cache', async () => {
    const { counter, host } = pair();
    const first = await counter.count(job('OK', chat('Summarise the plot of Hamlet in one line.')));
    const again = await counter.count(job('OK', chat('Summarise the plot of Hamlet in one line.')));
    const other = await counter.count(job('OK', chat('Something else entirely.')));
    expect(host.stats.promptHits).toBe(1);
    expect(again?.prompt).toEqual(first?.prompt);
    expect(other?.prompt?.tokens).not.toBe(first?.prompt?.tokens);
  });

  it('lets the tables go after idleMs with nothing to count, tells the sender, and loads them again for the next job', async () => {
    const { counter, host } = pair({ idleMs: 50 });
    expect((await counter.count(job('Hello there')))?.output?.visible).toBe(2);
    const released = once(counter, 'released');
    await once(host, 'released');
    await released;
    expect(host.holdingTables).toBe(false);
    expect(counter.running).toBe(false);
    expect((await counter.count(job('Hello there')))?.output?.visible).toBe(2);
    expect(host.stats.loads).toBe(2);
    expect(counter.spawned).toBe(2);
  });

  it('a host that is gone answers what it held with null, and every later job at once (the caller estimates)', async () => {
    const { counter, stop } = pair({ sliceMs: 1 });
    const held = counter.count(job('word '.repeat(200_000)));
    await new Promise((r) => setTimeout(r, 5));
    stop();
    expect(await held).toBeNull();
    const t0 = performance.now();
    expect(await counter.count(job('Hello there'))).toBeNull();
    expect(performance.now() - t0).toBeLessThan(50);
    expect(counter.waiting).toBe(0);
  });

  it('a job not answered within its timeout resolves null', async () => {
    const { counter } = pair();
    const { port1, port2 } = new MessageChannel(); // nobody serves port1
    const silent = new TokenCounter({ port: port2 });
    stops.push(() => port1.close());
    expect(await silent.count(job('Hello'), { timeoutMs: 30 })).toBeNull();
    expect(silent.waiting).toBe(0);
    expect((await counter.count(job('Hello there'), { timeoutMs: 5_000 }))?.output?.visible).toBe(2);
  });
});

describe('a 10 MB answer on the thread that also draws', () => {
  // ~10 MB of varied words (a repeated sentence would be counted from the merge cache in no time).
  const HUGE = Array.from({ length: 1_400_000 }, (_, i) => `w${(i * 7919) % 100_003}x`).join(' ');

  it('is counted in slices: the loop keeps turning while it is counted, and the count is the unsliced one', async () => {
    const { counter } = pair({ sliceMs: 4 });
    await counter.warm('gpt-4o');
    let turns = 0;
    let longest = 0;
    let last = performance.now();
    let running = true;
    const spin = (): void => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      turns++;
      if (running) setImmediate(spin);
    };
    // A generous budget, so that neither count is cut by time and both must agree exactly.
    const t0 = performance.now();
    const counted = counter.count(job(HUGE), { budgetMs: 60_000, timeoutMs: 60_000 });
    setImmediate(spin);
    const answer = await counted;
    const took = performance.now() - t0;
    running = false;
    console.log(`10 MB answer: counted in ${took.toFixed(0)} ms, ${turns} turns, longest gap ${longest.toFixed(1)} ms`);
    const direct = runCountJob({ ...job(HUGE), id: 1, budgetMs: 60_000, expiresAt: Date.now() + 60_000 });
    expect(answer).not.toBeNull();
    expect(answer?.output).toEqual(!direct.expired && direct.output);
    expect(answer?.output?.limit).toBe('size'); // only the head was counted; the rest extrapolated
    // Half a megabyte of head at 4 ms slices: a turn every few ms. Unsliced, the loop would not turn until the end.
    expect(took).toBeGreaterThan(40);
    // Tolerances for a loaded 2-core machine (a slice's wall time stretches when the thread is preempted).
    expect(turns).toBeGreaterThan(Math.max(10, took / 60));
    expect(longest).toBeLessThan(took / 2);
  });

  it('within the default budget it is bounded: an answer, marked size or time, near a quarter of the bytes', async () => {
    const { counter } = pair();
    const answer = await counter.count(job(HUGE));
    expect(answer).not.toBeNull();
    expect(['size', 'time']).toContain(answer?.output?.limit);
    expect(answer?.output?.visible).toBeGreaterThan(HUGE.length / 8);
    expect(answer?.output?.visible).toBeLessThan(HUGE.length);
  });

  it('two hosts on one thread counting at once (their slices interleave) each get the unsliced count', async () => {
    const a = pair({ sliceMs: 1 });
    const b = pair({ sliceMs: 1 });
    const other = HUGE.slice(0, 3_000_000).replace(/w/g, 'v ');
    const both = await Promise.all([
      a.counter.count(job(HUGE), { budgetMs: 60_000, timeoutMs: 60_000 }),
      b.counter.count(job(other), { budgetMs: 60_000, timeoutMs: 60_000 }),
    ]);
    const direct = [HUGE, other].map((t) => runCountJob({ ...job(t), id: 1, budgetMs: 60_000, expiresAt: Date.now() + 60_000 }));
    expect(both.map((x) => x?.output)).toEqual(direct.map((d) => !d.expired && d.output));
  });
});
