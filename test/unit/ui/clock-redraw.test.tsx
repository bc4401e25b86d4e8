/**
 * The dashboard's clock does not cost frames of its own while snapshots are
 * drawing the frame anyway (src/ui/App.tsx): each frame costs Ink an object
 * per cell of garbage. Without snapshots the clock still moves every second.
 * Only the clock's interval is faked; React and Ink run on real timers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render } from 'ink-testing-library';
import { stripVTControlCharacters } from 'node:util';
import { App } from '../../../src/ui/App.js';
import { SnapshotFeed } from '../../../src/ui/feed.js';
import { normalSnapshot } from './fixtures.js';
import { utcTime } from './render-helpers.js';

/** Enough turns of the loop for React to commit a pending update (a timer's update waits for the scheduler). */
async function turn(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the dashboard clock', () => {
  it('adds no frame while snapshots draw, and still ticks without them', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let nowMs = Date.UTC(2026, 0, 1, 12, 0, 0);
    const feed = new SnapshotFeed();
    feed.push(normalSnapshot());
    const r = render(<App feed={feed} thresholds={[]} initialWindow="1m" onCommand={() => undefined} now={() => nowMs} formatTime={utcTime} />);
    await turn();
    const header = (): string => stripVTControlCharacters(r.lastFrame() ?? '');
    expect(header()).toContain('12:00:00');
    // Three seconds of snapshots, four a second, as a watch run posts them.
    const before = r.frames.length;
    for (let s = 0; s < 3; s++) {
      for (let q = 0; q < 4; q++) {
        nowMs += 250;
        feed.push(normalSnapshot());
        await turn();
      }
      vi.advanceTimersByTime(1000);
      await turn();
    }
    // One frame per snapshot, none for the clock; the clock shows the time of the last one.
    expect(r.frames.length - before).toBe(12);
    expect(header()).toContain('12:00:03');
    // No snapshot for a second: the clock's timer draws.
    nowMs += 1000;
    vi.advanceTimersByTime(1000);
    await vi.waitFor(() => expect(header()).toContain('12:00:04'));
    expect(r.frames.length - before).toBe(13);
    r.unmount();
  });
});
