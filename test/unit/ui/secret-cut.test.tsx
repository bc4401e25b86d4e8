/**
 * A relay that echoes the Authorization header as its request id, or in its
 * error message: the dashboard cuts long text to the terminal's width, and a
 * key cut short no longer matches the redaction applied to the whole frame
 * (ui/mount.tsx). Each width is tried, and the frame is redacted as mount.tsx
 * redacts it before the check: no run of the key may be left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearSecrets, redact, registerSecret } from '../../../src/core/redact.js';
import { truncate } from '../../../src/ui/core/text.js';
import { EventsLine } from '../../../src/ui/components/EventsLine.js';
import { DetailView } from '../../../src/ui/components/DetailView.js';
import { SENTINEL_KEY } from '../../helpers/cli.js';
import { normalSnapshot, recentError } from './fixtures.js';
import { frameText, utcTime } from './render-helpers.js';

/** The runs of 8 characters of the key past its "sk-" prefix: any one of them in a frame is a leak. */
const RUNS = Array.from({ length: SENTINEL_KEY.length - 3 - 7 }, (_, i) => SENTINEL_KEY.slice(3 + i, 3 + i + 8));
const leaks = (text: string): string[] => RUNS.filter((r) => text.includes(r));

beforeAll(() => registerSecret(SENTINEL_KEY));
afterAll(() => clearSecrets());

describe('text cut to the width never shows part of a key', () => {
  it('truncate redacts before it cuts, at every width', () => {
    const s = `req Bearer ${SENTINEL_KEY} tail`;
    for (let w = 1; w <= s.length + 2; w++) expect(leaks(redact(truncate(s, w))), `width ${w}`).toEqual([]);
    // Text that fits is left to the frame's own redaction, unchanged here.
    expect(truncate('short', 10)).toBe('short');
  });

  it('the errors line, with the key echoed as a request id and in the message', () => {
    const errors = [recentError({ requestId: `Bearer ${SENTINEL_KEY}`, message: `invalid key Bearer ${SENTINEL_KEY}` }), recentError({ time: Date.UTC(2026, 0, 1, 12, 0, 40) })];
    for (let w = 20; w <= 160; w++) {
      const frame = redact(frameText(<EventsLine errors={errors} width={w} formatTime={utcTime} />, w));
      expect(leaks(frame), `width ${w}`).toEqual([]);
    }
  });

  it('the detail view\'s recent errors', () => {
    const snap = normalSnapshot();
    const errors = [recentError({ requestId: `Bearer ${SENTINEL_KEY}`, message: `invalid key Bearer ${SENTINEL_KEY}` })];
    const stats = snap.stats?.targets.find((t) => t.target === 'relay') ?? null;
    for (let w = 40; w <= 160; w += 3) {
      const frame = redact(frameText(<DetailView name="relay" stats={stats} window="1m" samples={[]} errors={errors} width={w} height={60} formatTime={utcTime} />, w));
      expect(leaks(frame), `width ${w}`).toEqual([]);
    }
  });
});
