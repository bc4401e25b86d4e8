import { describe, expect, it } from 'vitest';
import { SPARK_BLOCKS, sparkline } from '../../../src/ui/core/sparkline.js';

describe('sparkline', () => {
  it('scales min..max of the visible points onto the eight blocks', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([10, 20], 2)).toBe('▁█');
    expect(sparkline([0, 50, 100], 3)).toBe('▁▅█');
  });

  it('honours a fixed scale and clamps values outside it', () => {
    expect(sparkline([0, 50, 100], 3, { min: 0, max: 200 })).toBe('▁▃▅');
    expect(sparkline([-5, 500], 2, { min: 0, max: 100 })).toBe('▁█');
  });

  it('draws nulls and non-finite values as spaces, not as the lowest block', () => {
    expect(sparkline([1, null, 3], 3)).toBe('▁ █');
    expect(sparkline([Number.NaN, 2, 4], 3)).toBe(' ▁█');
    expect(sparkline([null, null], 2)).toBe('  ');
  });

  it('keeps the last `width` points', () => {
    expect(sparkline([100, 0, 1, 2], 3)).toBe('▁▅█');
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2)).toBe('▁█');
  });

  it('pads a short series on the left so the newest point is at the right edge', () => {
    expect(sparkline([1, 2], 5)).toBe('   ▁█');
    expect(sparkline([], 4)).toBe('    ');
  });

  it('draws a flat series as the lowest block', () => {
    expect(sparkline([5, 5, 5], 3)).toBe('▁▁▁');
    expect(sparkline([7], 1)).toBe('▁');
    expect(sparkline([3, null, 3], 3)).toBe('▁ ▁');
  });

  it('returns exactly `width` characters and nothing for a non-positive width', () => {
    expect(sparkline([1, 2, 3], 0)).toBe('');
    expect(sparkline([1, 2, 3], -4)).toBe('');
    expect(sparkline([1, 2, 3], Number.NaN)).toBe('');
    expect([...sparkline([1, 2, 3], 4.9)]).toHaveLength(4);
    const many = Array.from({ length: 500 }, (_, i) => i);
    expect([...sparkline(many, 37)]).toHaveLength(37);
    expect(SPARK_BLOCKS).toHaveLength(8);
  });
});
