import { describe, expect, it } from 'vitest';
import { onAbort } from '../../../src/core/abort-fanout.js';

describe('onAbort (one listener per signal, fanned out)', () => {
  it('calls every registered callback once, in registration order, and none that unregistered', () => {
    const ctl = new AbortController();
    const seen: string[] = [];
    onAbort(ctl.signal, () => seen.push('a'));
    const offB = onAbort(ctl.signal, () => seen.push('b'));
    onAbort(ctl.signal, () => seen.push('c'));
    offB();
    ctl.abort();
    ctl.abort();
    expect(seen).toEqual(['a', 'c']);
  });

  it('a callback that unregisters a later one stops it from running', () => {
    const ctl = new AbortController();
    const seen: string[] = [];
    let offLater = (): void => {};
    onAbort(ctl.signal, () => {
      seen.push('first');
      offLater();
    });
    offLater = onAbort(ctl.signal, () => seen.push('later'));
    ctl.abort();
    expect(seen).toEqual(['first']);
  });

  it('the same function registered twice runs twice; signals are independent', () => {
    const a = new AbortController();
    const b = new AbortController();
    let n = 0;
    const f = (): void => void (n += 1);
    onAbort(a.signal, f);
    onAbort(a.signal, f);
    onAbort(b.signal, f);
    a.abort();
    expect(n).toBe(2);
    b.abort();
    expect(n).toBe(3);
  });

  it('adds one listener to the signal however many requests register', () => {
    const ctl = new AbortController();
    let adds = 0;
    const add = ctl.signal.addEventListener.bind(ctl.signal);
    ctl.signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
      adds += 1;
      add(...args);
    }) as AbortSignal['addEventListener'];
    const offs = Array.from({ length: 1000 }, () => onAbort(ctl.signal, () => {}));
    for (const off of offs) off();
    expect(adds).toBe(1);
  });
});
