import { describe, expect, it } from 'vitest';
import { SnapshotPace } from '../../../src/engine/pace.js';

describe('SnapshotPace', () => {
  it('paced: one snapshot outstanding at a time; a tick meanwhile is missed and owed when it is taken', () => {
    const pace = new SnapshotPace(true);
    expect(pace.mayPost()).toBe(true);
    pace.posted();
    expect(pace.mayPost()).toBe(false);
    expect(pace.mayPost()).toBe(false);
    // Two missed ticks owe one fresh snapshot, not two.
    expect(pace.took()).toBe(true);
    expect(pace.mayPost()).toBe(true);
    pace.posted();
    // Taken before the next tick: nothing owed; the tick posts as usual.
    expect(pace.took()).toBe(false);
    expect(pace.mayPost()).toBe(true);
  });

  it('unpaced (a runner driven directly): every tick posts', () => {
    const pace = new SnapshotPace(false);
    for (let i = 0; i < 3; i++) {
      expect(pace.mayPost()).toBe(true);
      pace.posted();
    }
  });
});
