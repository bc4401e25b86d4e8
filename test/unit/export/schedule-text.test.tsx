import { describe, expect, it } from 'vitest';
import type { TargetSchedule } from '../../../src/engine/messages.js';
import { scheduleFields, scheduleNote } from '../../../src/export/schedule-text.js';
import { logfmtLine } from '../../../src/export/logfmt.js';
import { Header } from '../../../src/ui/components/Header.js';
import { normalSnapshot } from '../ui/fixtures.js';
import { frameLines } from '../ui/render-helpers.js';

const held: TargetSchedule = { scheduled: 400, sent: 48, capWaits: 352, dropped: 352, skippedBackoff: 0, achievedRatePerSec: 6 };
const clean: TargetSchedule = { scheduled: 40, sent: 40, capWaits: 0, dropped: 0, skippedBackoff: 0, achievedRatePerSec: 5 };

describe('what the engine held back, in words', () => {
  it('says the cap, the shortfall and the drops; nothing when every send went out', () => {
    expect(scheduleNote(8, held)).toBe('cap 8 held back 352 sends; 48 of 400 due were sent; 352 dropped');
    expect(scheduleNote(8, { ...clean, scheduled: 50, skippedBackoff: 10 })).toBe('40 of 50 due were sent; 10 skipped in a 429 back-off');
    expect(scheduleNote(8, clean)).toBeNull();
  });

  it('appends cumulative fields to the logfmt line only when something was held back', () => {
    const t = new Date(Date.UTC(2026, 0, 1));
    expect(logfmtLine(t, 'relay', null, { cap: 8, schedule: clean })).toBe(logfmtLine(t, 'relay', null));
    expect(logfmtLine(t, 'relay', null, { cap: 8, schedule: held })).toMatch(/ cap=8 cap_waits=352 sent=48 scheduled=400 dropped=352 skipped_backoff=0 held=0$/);
    // Mid-run, sends held at the cap close the sum.
    expect(logfmtLine(t, 'relay', null, { cap: 8, schedule: { ...held, dropped: 0 } })).toMatch(/ sent=48 scheduled=400 dropped=0 skipped_backoff=0 held=352$/);
    expect(scheduleFields(8, clean)).toEqual([]);
  });

  it('shows in the dashboard header', () => {
    const snap = normalSnapshot();
    snap.targets[1] = { ...snap.targets[1]!, schedule: held };
    const lines = frameLines(<Header snapshot={snap} window="1m" clock="12:01:05" width={120} />, 120);
    expect(lines[1]).toContain('held back: relay 48/400 sent (cap 8)');
    const plain = frameLines(<Header snapshot={normalSnapshot()} window="1m" clock="12:01:05" width={120} />, 120);
    expect(plain.join('\n')).not.toContain('held back');
  });
});
