import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { TokenCounter } from '../../../src/tokens/counter.js';
import { textHead } from '../../../src/tokens/count-job.js';

const job = (text: string) => ({ model: 'gpt-4o', body: null, output: { content: textHead(text), tool: textHead(''), reasoning: textHead('') } });

describe('the counting worker’s life', () => {
  it('is started by the first warm() or count, and every later one shares it', async () => {
    const counter = new TokenCounter();
    expect(counter.running).toBe(false);
    await Promise.all([counter.warm('gpt-4o'), counter.warm('gpt-4')]);
    expect(counter.running).toBe(true);
    const answers = await Promise.all([counter.count(job('Hello there')), counter.count(job('Reply with OK')), counter.count(job('中文字符测试'))]);
    expect(answers.map((a) => a?.output?.visible)).toEqual([2, 3, 3]);
    expect(counter.spawned).toBe(1);
    expect(counter.running).toBe(true);
    counter.release();
  });

  it('is released once idle, and a later count starts a new one that still answers', async () => {
    const counter = new TokenCounter({ idleMs: 50 });
    expect((await counter.count(job('Hello there')))?.output?.visible).toBe(2);
    await once(counter, 'released');
    expect(counter.running).toBe(false);
    expect((await counter.count(job('Hello there')))?.output?.visible).toBe(2);
    expect(counter.spawned).toBe(2);
    counter.release();
  });

  it('is kept while counts are pending, and release() answers the pending ones null at once', async () => {
    const counter = new TokenCounter({ idleMs: 0 });
    const pending = counter.count(job('x'.repeat(50_000)));
    expect(counter.running).toBe(true);
    const released = once(counter, 'released');
    counter.release();
    await released;
    expect(await pending).toBeNull();
    expect(counter.waiting).toBe(0);
    expect(counter.running).toBe(false);
  });
});
