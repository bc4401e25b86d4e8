import { describe, expect, it } from 'vitest';
import { Dashboard, dashboardTargets } from '../../../src/ui/components/Dashboard.js';
import { HELP_HEIGHT } from '../../../src/ui/components/HelpOverlay.js';
import {
  emptySnapshot,
  engineSnapshot,
  errorHeavySnapshot,
  normalSnapshot,
  statsSnapshot,
  targetInfo,
  targetStats,
  windowStats,
} from './fixtures.js';
import { frameLines, frameText, utcTime, widest, WIDTHS } from './render-helpers.js';

const SNAPSHOTS = { normal: normalSnapshot, errorHeavy: errorHeavySnapshot, empty: emptySnapshot };

function eightTargets() {
  const names = Array.from({ length: 8 }, (_, i) => `relay-${i + 1}`);
  return engineSnapshot({
    stats: statsSnapshot(names.map((n) => targetStats(n, windowStats()))),
    targets: names.map(targetInfo),
  });
}

describe('Dashboard frame', () => {
  for (const cols of WIDTHS) {
    for (const rows of [10, 24, 50]) {
      for (const [kind, make] of Object.entries({ ...SNAPSHOTS, eight: eightTargets })) {
        it(`${kind} at ${cols}×${rows} stays within the terminal`, () => {
          const lines = frameLines(
            <Dashboard snapshot={make()} window="1m" cols={cols} rows={rows} clock="12:01:05" formatTime={utcTime} />,
            cols,
          );
          expect(lines.length).toBeLessThanOrEqual(rows);
          expect(widest(lines)).toBeLessThanOrEqual(cols);
        });
      }
    }
  }

  it('a tall, wide terminal shows full panels side by side', () => {
    const text = frameText(
      <Dashboard snapshot={normalSnapshot()} window="1m" cols={160} rows={50} clock="12:01:05" formatTime={utcTime} />,
      160,
    );
    const lines = text.split('\n');
    const titles = lines.find((l) => l.includes('direct') && l.includes('relay') && l.includes('backup'));
    expect(titles).toBeDefined();
    expect(text).toContain('p50 400ms  p95 800ms  p99 1.20s');
    expect(text).toContain('alerts: none firing');
    expect(text).toContain('events: no errors yet');
  });

  it('a short terminal drops detail, then targets behind "+N more"', () => {
    const compact = frameText(<Dashboard snapshot={eightTargets()} window="1m" cols={160} rows={24} clock="x" />, 160);
    expect(compact).toContain('err 0% (0/120)');
    expect(compact).not.toContain('tokens in');
    const squeezed = frameLines(<Dashboard snapshot={eightTargets()} window="1m" cols={60} rows={10} clock="x" />);
    // 2 header + 1 alert line + 5 one-line panels + "+3 more" + 1 events line = exactly 10.
    expect(squeezed).toHaveLength(10);
    expect(squeezed[7]).toContain('relay-5  ● ok  p95 800ms  err 0%  $25.20/h');
    expect(squeezed[8]).toBe('+3 more: relay-6, relay-7, relay-8');
  });

  it('error-heavy: alerts, saturation and the events line all show', () => {
    const text = frameText(
      <Dashboard snapshot={errorHeavySnapshot()} window="1m" cols={160} rows={50} clock="12:01:05" formatTime={utcTime} />,
      160,
    );
    expect(text).toContain('client saturated');
    expect(text).toContain('FIRING ttft_target_relay_p95 1.20s');
    expect(text).toContain('errors: 12:00:32 relay server_error 503 req_zz9');
    expect(text).toContain('err 33% (30/90)');
  });

  it('empty: every target waits for data', () => {
    const text = frameText(<Dashboard snapshot={emptySnapshot()} window="1m" cols={100} rows={24} clock="x" />);
    expect(text.match(/waiting for data…/g)).toHaveLength(2);
    expect(dashboardTargets(emptySnapshot()).map((t) => t.name)).toEqual(['direct', 'relay']);
  });

  it('help replaces the panels, boxed when there is room and packed when not', () => {
    const tall = frameLines(<Dashboard snapshot={normalSnapshot()} window="1m" cols={100} rows={50} clock="x" showHelp />);
    expect(tall.join('\n')).toContain('cycle window 1m / 5m / 15m / all');
    expect(tall.join('\n')).not.toContain('p99');
    const short = frameLines(<Dashboard snapshot={normalSnapshot()} window="1m" cols={100} rows={10} clock="x" showHelp />);
    expect(short.length).toBeLessThanOrEqual(10);
    expect(short.join('\n')).toContain('q, Ctrl-C quit');
    expect(HELP_HEIGHT).toBe(12);
  });

  it('marks the focused target', () => {
    const text = frameText(<Dashboard snapshot={normalSnapshot()} window="1m" cols={100} rows={50} clock="x" focus={1} />);
    expect(text).toContain('› relay');
    expect(text).not.toContain('› direct');
  });
});

describe('panel state (the relaymon_target_state verdict)', () => {
  it('ok, degraded on errors, down when nothing got through, degraded while an alert about it fires', () => {
    const snap = errorHeavySnapshot();
    const text = frameText(<Dashboard snapshot={snap} window="1m" cols={160} rows={50} clock="12:01:05" formatTime={utcTime} />, 160);
    expect(text).toMatch(/direct\s+● ok/);
    expect(text).toMatch(/relay\s+● degraded/);

    const names = ['a', 'b'];
    const down = engineSnapshot({
      stats: statsSnapshot([targetStats('a', windowStats({ requests: 10, errors: 10 })), targetStats('b', windowStats())]),
      targets: names.map(targetInfo),
      alerts: [{ name: 'BSlow', expression: 'ttft{target:b}:p(95)<800', window: '1m', state: 'firing', value: 900, since: 0, lastFiredAt: 0, lastResolvedAt: null }],
    });
    const lines = frameText(<Dashboard snapshot={down} window="1m" cols={160} rows={50} clock="12:01:05" formatTime={utcTime} />, 160);
    expect(lines).toMatch(/a\s+● down/);
    expect(lines).toMatch(/b\s+● degraded/);
  });
});

describe('header state', () => {
  it('a paused run on a saturated client shows both, and the progress stays visible', () => {
    const snap = normalSnapshot();
    const sat = { ...snap, state: 'paused' as const, saturation: { ...snap.saturation, saturated: true, reasons: ['3 sends over 5 ms late'] } };
    const lines = frameLines(<Dashboard snapshot={sat} window="1m" cols={160} rows={30} clock="12:01:05" formatTime={utcTime} />, 160);
    expect(lines[0]).toContain('● paused  ● client saturated');
    expect(lines[1]).toContain('client saturated: 3 sends over 5 ms late');
    expect(lines[1]).toContain('118 done, 0 errors');
  });
});
