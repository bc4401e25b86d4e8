import { describe, expect, it } from 'vitest';
import { fitSegments, padStart, textWidth, truncate } from '../../../src/ui/core/text.js';

describe('text helpers', () => {
  it('truncate keeps short strings and cuts long ones with an ellipsis', () => {
    expect(truncate('hello', 5)).toBe('hello');
    expect(truncate('hello world', 5)).toBe('hell…');
    expect(truncate('▁▂▃▄', 3)).toBe('▁▂…');
    expect(truncate('abc', 0)).toBe('');
    expect(padStart('42', 5)).toBe('   42');
    expect(textWidth('…▁a')).toBe(3);
  });

  it('fitSegments keeps whole segments that fit and cuts the one crossing the edge', () => {
    const segs = [{ text: 'abc' }, { text: 'defg', tone: 'bad' as const }, { text: 'hij' }];
    expect(fitSegments(segs, 10)).toEqual(segs);
    const cut = fitSegments(segs, 6);
    expect(cut.map((s) => s.text).join('')).toBe('abcde…');
    expect(cut[1]?.tone).toBe('bad');
    expect(fitSegments(segs, 1).map((s) => s.text).join('')).toBe('…');
  });
});
