/**
 * The run's account of relaymon's own saturation (engine/saturation-account.ts,
 * fed by SaturationMonitor.read() every tick) and the words the end-of-run
 * text and stderr say from it (export/saturation-text.ts), on synthetic ticks.
 */
import { describe, expect, it } from 'vitest';
import { SaturationAccount } from '../../../src/engine/saturation-account.js';
import { SaturationMonitor } from '../../../src/engine/saturation.js';
import { saturationNote } from '../../../src/export/saturation-text.js';
import { checkText } from '../../../src/export/check-text.js';
import type { RunSummaryJson } from '../../../src/export/junit.js';
import type { Summary, TimeStats } from '../../../src/stats/summary.js';

const tick = (durationMs: number, eventLoopDelayP99Ms: number, ownLagMaxMs: number | null = null) => ({ durationMs, eventLoopDelayP99Ms, ownLagMaxMs });

describe('SaturationAccount', () => {
  it('adds up the saturated ticks after the first, with the worst event-loop p99 after the first and the worst send lag of all', () => {
    const a = new SaturationAccount();
    a.add(tick(250, 400, 300)); // first tick: its loop delay is the run's code warming up, its sends are the run's
    a.add(tick(250, 3, 1)); // calm
    a.add(tick(250, 114, 2)); // the loop held up
    a.add(tick(260, 141, 1570)); // both
    a.add(tick(240, 8, 40)); // a send 40 ms late on an idle-enough loop
    a.add(tick(250, 19.9, 20)); // at the bars, not above them
    a.add(tick(250, 12, null)); // no send this tick
    expect(a.total()).toEqual({ saturatedMs: 250 + 260 + 240, eventLoopDelayP99MaxMs: 141, sendLagMaxMs: 1570 });
  });

  it('keeps a late first send in sendLagMaxMs (the first tick is left out of the saturated time only)', () => {
    const a = new SaturationAccount();
    a.add(tick(250, 3, 39)); // the run's first send left 39 ms late
    for (let i = 0; i < 20; i++) a.add(tick(250, 2, 0.4));
    expect(a.total()).toEqual({ saturatedMs: 0, eventLoopDelayP99MaxMs: 2, sendLagMaxMs: 39 });
  });

  it('is 0 for a calm run, and for one whose only saturated tick is the first', () => {
    const a = new SaturationAccount();
    a.add(tick(250, 90, 0.3));
    for (let i = 0; i < 20; i++) a.add(tick(250, 2, 0.4));
    expect(a.total()).toEqual({ saturatedMs: 0, eventLoopDelayP99MaxMs: 2, sendLagMaxMs: 0.4 });
  });

  it('starts afresh on reset without a second warm-up', () => {
    const a = new SaturationAccount();
    a.add(tick(250, 0));
    a.add(tick(250, 50));
    a.reset();
    expect(a.total().saturatedMs).toBe(0);
    a.add(tick(300, 50));
    expect(a.total()).toEqual({ saturatedMs: 300, eventLoopDelayP99MaxMs: 50, sendLagMaxMs: 0 });
  });
});

describe('SaturationMonitor feeds the account', () => {
  it('counts unheld late sends in saturated time from the second tick on; a wait at the cap is live lag but not its own', () => {
    const m = new SaturationMonitor();
    try {
      m.recordSend(500); // first tick: in sendLagMaxMs, not in saturated time
      const t1 = performance.now();
      m.read(0, t1);
      m.recordSend(1570);
      m.recordSend(9000, true); // held at a full cap: the schedule's doing
      const live = m.read(1, t1 + 250);
      expect(live.sendLagMs.max).toBe(9000); // the live figures keep every send's lateness
      expect(live.saturated).toBe(true);
      const total = m.runTotal();
      expect(total.sendLagMaxMs).toBeCloseTo(1570, 3);
      // Only the second tick counts (a loaded machine cannot add a tick that was not read).
      expect(total.saturatedMs).toBeCloseTo(250, 3);
      m.recordSend(9000, true);
      m.read(1, t1 + 500);
      expect(m.runTotal().sendLagMaxMs).toBeCloseTo(1570, 3);
    } finally {
      m.close();
    }
  });
});

describe('saturationNote', () => {
  it('says how long of the run, how bad, and what to do', () => {
    expect(saturationNote({ saturatedMs: 6000, eventLoopDelayP99MaxMs: 141, sendLagMaxMs: 1570 }, 8100)).toBe(
      'relaymon itself was saturated for 6 of 8.1 s (event-loop delay p99 up to 141ms, sends up to 1.57s late): its timings include its own delay; lower the rate or the answer sizes, or give it more CPU',
    );
  });

  it('names only the figures past their bar', () => {
    expect(saturationNote({ saturatedMs: 250, eventLoopDelayP99MaxMs: 4, sendLagMaxMs: 35 }, 30_000)).toContain('for 0.3 of 30 s (sends up to 35.0ms late):');
    expect(saturationNote({ saturatedMs: 12_400, eventLoopDelayP99MaxMs: 60, sendLagMaxMs: 3 }, 60_000)).toContain('for 12 of 60 s (event-loop delay p99 up to 60.0ms):');
  });

  it('is null when relaymon was never saturated', () => {
    expect(saturationNote({ saturatedMs: 0, eventLoopDelayP99MaxMs: 12, sendLagMaxMs: 4 }, 8000)).toBeNull();
  });
});

describe('the end-of-run text', () => {
  const t: TimeStats = { p50: 150, p90: 160, p95: 170, p99: 180, avg: 155, min: 148, max: 190 };
  const s: Summary = {
    requests: 10, errors: 0, errorRate: 0, errorTypes: {}, unfinished: 0, latencyMs: t, latencyScheduledMs: t, ttfbMs: t, ttftMs: t, ttftContentMs: t, itlMs: t,
    outputTokensPerSecond: t, inputTokens: 10, outputTokens: 10, cachedInputTokens: 0, usageMissing: 0, costUsd: 0.001, unpricedRequests: 0,
  };
  const run = (saturatedMs: number): RunSummaryJson => ({
    command: 'check',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 8000,
    measuredMs: 8000,
    saturation: { saturatedMs, eventLoopDelayP99MaxMs: 141, sendLagMaxMs: 1570 },
    stoppedBy: 'duration',
    targets: [{ name: 'relay', baseUrl: 'http://127.0.0.1:1/v1', protocol: 'openai', summary: s }],
    summary: s,
    thresholds: [],
  });

  it('carries the note before the stop line when relaymon was saturated, and none when it was not', () => {
    const said = checkText(run(6000), { defaults: [], color: false });
    const flat = said.replace(/\s+/g, ' ');
    expect(flat).toContain('relaymon itself was saturated for 6 of 8 s (event-loop delay p99 up to 141ms, sends up to 1.57s late)');
    expect(said.indexOf('relaymon itself was saturated')).toBeLessThan(said.indexOf('stopped: the duration was reached'));
    expect(checkText(run(0), { defaults: [], color: false })).not.toContain('saturated');
  });
});
