import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, setLongTimeout } from '../../../src/core/long-timeout.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('setLongTimeout', () => {
  it('waits past the longest timer Node keeps (a plain setTimeout would fire after 1 ms)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const fn = vi.fn();
    setLongTimeout(fn, MAX_TIMER_MS + 60_000);
    vi.advanceTimersByTime(1_000);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('a short one fires on time, and clear() cancels a long one between its steps', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const short = vi.fn();
    setLongTimeout(short, 50);
    vi.advanceTimersByTime(49);
    expect(short).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(short).toHaveBeenCalledTimes(1);
    const long = vi.fn();
    const t = setLongTimeout(long, 2 * MAX_TIMER_MS);
    vi.advanceTimersByTime(MAX_TIMER_MS + 10);
    t.clear();
    vi.advanceTimersByTime(2 * MAX_TIMER_MS);
    expect(long).not.toHaveBeenCalled();
  });
});
