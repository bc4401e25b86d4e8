import { describe, expect, it } from 'vitest';
import { parseThreshold } from '../../../src/stats/thresholds.js';
import { AlertBar, alertValue } from '../../../src/ui/components/AlertBar.js';
import { EventsLine } from '../../../src/ui/components/EventsLine.js';
import { Header } from '../../../src/ui/components/Header.js';
import { HelpOverlay } from '../../../src/ui/components/HelpOverlay.js';
import { errorBreakdown, fmtCount, panelRows, statusBreakdown, TargetPanel } from '../../../src/ui/components/TargetPanel.js';
import { PANEL_HEIGHT, type Detail } from '../../../src/ui/core/layout.js';
import {
  alertView,
  emptySnapshot,
  errorHeavySnapshot,
  normalSnapshot,
  targetStats,
  windowStats,
} from './fixtures.js';
import { frameLines, frameText, utcTime, widest, WIDTHS } from './render-helpers.js';

const DETAILS: Detail[] = ['full', 'compact', 'minimal'];

describe('Header', () => {
  for (const width of WIDTHS) {
    it(`shows state, window, rps and spend within ${width} columns`, () => {
      const lines = frameLines(<Header snapshot={normalSnapshot()} window="1m" clock="12:01:05" width={width} />, width);
      expect(lines).toHaveLength(2);
      expect(widest(lines)).toBeLessThanOrEqual(width);
      expect(lines[0]).toContain('relaymon');
      expect(lines[0]).toContain('running');
      expect(lines[0]).toContain('window 1m');
      expect(lines[0]).toContain('2.0 rps');
      expect(lines[1]).toContain('direct, relay, backup');
    });
  }

  it('shows spend, $/hour and the clock on a wide terminal', () => {
    const text = frameText(<Header snapshot={normalSnapshot()} window="5m" clock="12:01:05" width={160} />, 160);
    expect(text).toContain('spent $0.42');
    expect(text).toContain('$25.20/h');
    expect(text).toContain('12:01:05');
    expect(text).toContain('up 01:05');
  });

  it('says the client is saturated, with the reasons', () => {
    const lines = frameLines(<Header snapshot={errorHeavySnapshot()} window="1m" clock="12:01:05" width={160} />, 160);
    expect(lines[0]).toContain('client saturated');
    expect(lines[1]).toContain('event-loop delay p99 48ms > 20ms; 31 sends later than 5ms');
  });

  it('has placeholders before any data, and the budget', () => {
    const lines = frameLines(<Header snapshot={emptySnapshot()} window="1m" clock="12:00:00" width={160} />, 160);
    expect(lines[0]).toContain('starting');
    expect(lines[0]).toContain('- rps');
    expect(lines[0]).toContain('spent $0 of $5.00');
    expect(lines[0]).toContain('-/h');
  });

  it('cuts a narrow header with an ellipsis', () => {
    const lines = frameLines(<Header snapshot={normalSnapshot()} window="1m" clock="12:01:05" width={30} />, 30);
    expect(widest(lines)).toBeLessThanOrEqual(30);
    expect(lines[0]).toMatch(/…$/);
  });
});

describe('TargetPanel', () => {
  const normal = targetStats('direct', windowStats());
  const heavy = errorHeavySnapshot().stats?.targets[1] ?? null;

  for (const width of WIDTHS) {
    for (const detail of DETAILS) {
      it(`${detail} at ${width} columns: exact height, within width, for normal, error-heavy and empty data`, () => {
        for (const stats of [normal, heavy, null]) {
          const lines = frameLines(
            <TargetPanel name="relay" stats={stats} window="1m" detail={detail} width={width} />,
            width,
          );
          expect(lines).toHaveLength(PANEL_HEIGHT[detail]);
          expect(widest(lines)).toBeLessThanOrEqual(width);
        }
      });
    }
  }

  it('full: latency percentiles, sparkline, ttfb/ttft/itl, tok/s, errors, tokens and cost', () => {
    const text = frameText(<TargetPanel name="direct" stats={normal} window="1m" detail="full" width={60} />, 60);
    expect(text).toContain('direct');
    expect(text).toContain('2.0 rps  120 req');
    expect(text).toContain('p50 400ms  p95 800ms  p99 1.20s');
    expect(text).toMatch(/p95 [▁▂▃▄▅▆▇█]{50}/);
    expect(text).toContain('ttfb 240ms  ttft 300ms  itl 24.0ms');
    expect(text).toContain('tok/s 85.0 p50');
    expect(text).toMatch(/err 0% \(0\/120\) *│/);
    expect(text).toContain('no errors');
    expect(text).toContain('in 24.0k  out 36.5k');
    expect(text).toContain('cost $0.42  $25.20/h  30d $18144.00');
    expect(text).not.toContain('~est');
  });

  it('error-heavy: rate, breakdown by type and status, estimated-usage marks', () => {
    const text = frameText(<TargetPanel name="relay" stats={heavy} window="1m" detail="full" width={100} />, 100);
    expect(text).toContain('err 33% (30/90)');
    expect(text).toContain('err 33% (30/90)  HTTP 429×21 503×3 · no HTTP answer ×6');
    expect(text).toContain('rate_limited 21 · timeout 6 · server_error 3');
    expect(text).toContain('~est');
    expect(text).toContain('(~12 est)');
    expect(text).toContain('~$0.42');
    expect(text).toContain('p50 900ms  p95 5.40s  p99 8.10s');
    // The sparkline spans the panel's width, stretched, and keeps the gaps of seconds without data.
    expect(text).toMatch(/│ p95 ▁+ +▄+█+ +▁+ │/);
  });

  it('compact and minimal keep the key numbers', () => {
    const compact = frameText(<TargetPanel name="relay" stats={heavy} window="1m" detail="compact" width={60} />, 60);
    expect(compact).toContain('p95 5.40s');
    expect(compact).toContain('err 33% (30/90)  rate_limited 21');
    expect(compact).toContain('ttft 2.80s');
    const minimal = frameText(<TargetPanel name="relay" stats={heavy} window="1m" detail="minimal" width={60} focused />);
    expect(minimal).toBe('›relay  p95 5.40s  err 33%  ~$25.20/h');
  });

  it('says it is waiting when there is no data yet', () => {
    for (const detail of DETAILS) {
      const text = frameText(<TargetPanel name="relay" stats={null} window="1m" detail={detail} width={60} />, 60);
      expect(text).toContain('relay');
      expect(text).toContain('waiting for data…');
    }
  });

  it('colours values by thresholds without changing the text', () => {
    const thresholds = [
      parseThreshold('errors:rate<0.05'),
      parseThreshold('latency:p(50)<1000'),
      parseThreshold('latency{target:direct}:p(99)<100'),
    ];
    const props = { name: 'relay', stats: heavy, window: '1m' as const, detail: 'full' as const, width: 100 };
    const tones = new Map(
      panelRows({ ...props, thresholds })
        .flat()
        .map((s) => [s.text, s.tone]),
    );
    expect(tones.get('33%')).toBe('bad');
    // 900ms against < 1000: passing, but within 10% of the limit.
    expect(tones.get('p50 900ms')).toBe('warn');
    // The p99 threshold is for another target.
    expect(tones.get('p99 8.10s')).toBe('none');
    const plainTones = new Map(panelRows(props).flat().map((s) => [s.text, s.tone]));
    expect(plainTones.get('33%')).toBe('none');
    const plain = frameLines(<TargetPanel {...props} />);
    const judged = frameLines(<TargetPanel {...props} thresholds={thresholds} />);
    expect(judged).toEqual(plain);
  });

  it('a healthy target under its thresholds is ok', () => {
    const rows = panelRows({
      name: 'direct',
      stats: normal,
      window: '1m',
      detail: 'minimal',
      width: 60,
      thresholds: [parseThreshold('latency:p(95)<2000'), parseThreshold('errors:rate<0.05')],
    });
    expect(rows).toHaveLength(1);
    const tones = new Map((rows[0] ?? []).map((s) => [s.text, s.tone]));
    expect(tones.get('800ms')).toBe('ok');
    expect(tones.get('0%')).toBe('ok');
  });
});

describe('AlertBar', () => {
  const alerts = errorHeavySnapshot().alerts;
  for (const width of WIDTHS) {
    it(`firing, pending and resolved within ${width} columns and 3 lines`, () => {
      const lines = frameLines(<AlertBar alerts={alerts} width={width} />, width);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.length).toBeLessThanOrEqual(3);
      expect(widest(lines)).toBeLessThanOrEqual(width);
      const text = lines.join('\n');
      expect(text).toContain('FIRING ttft_target_relay_p95 1.20s');
      expect(text).not.toContain('quiet');
    });
  }

  it('shows values in the metric unit and every state on a wide terminal', () => {
    const text = frameText(<AlertBar alerts={alerts} width={160} />, 160);
    expect(text).toContain('▲ FIRING ttft_target_relay_p95 1.20s (1m)');
    expect(text).toContain('△ pending errors_relay 33.33% (1m)');
    expect(text).toContain('✓ resolved latency_direct');
    expect(alertValue(alertView({ value: null }))).toBe('no data');
  });

  it('counts what does not fit in one line', () => {
    const many = Array.from({ length: 6 }, (_, i) => alertView({ name: `alert_${i}` }));
    const lines = frameLines(<AlertBar alerts={many} width={60} maxLines={1} />);
    expect(lines).toHaveLength(1);
    expect(widest(lines)).toBeLessThanOrEqual(60);
    expect(lines[0]).toMatch(/\+[0-9] more$/);
  });

  it('says none firing without alerts', () => {
    expect(frameText(<AlertBar alerts={[]} width={60} />, 60)).toBe('alerts: none firing');
  });
});

describe('EventsLine', () => {
  const errors = errorHeavySnapshot().recentErrors;
  for (const width of WIDTHS) {
    it(`is one line within ${width} columns, newest first`, () => {
      const lines = frameLines(<EventsLine errors={errors} width={width} formatTime={utcTime} />, width);
      expect(lines).toHaveLength(1);
      expect(widest(lines)).toBeLessThanOrEqual(width);
      expect(lines[0]).toContain('errors: 12:00:32 relay server_error 503 req_zz9');
    });
  }

  it('lists time, target, type, status and request id', () => {
    const text = frameText(<EventsLine errors={errors} width={160} formatTime={utcTime} />, 160);
    expect(text).toBe(
      'errors: 12:00:32 relay server_error 503 req_zz9 · 12:00:31 relay timeout · 12:00:30 relay rate_limited 429 req_abc123',
    );
  });

  it('says so when there are none', () => {
    expect(frameText(<EventsLine errors={[]} width={60} />, 60)).toBe('events: no errors yet');
  });
});

describe('HelpOverlay', () => {
  for (const width of WIDTHS) {
    it(`lists the keys within ${width} columns`, () => {
      const lines = frameLines(<HelpOverlay width={width} />, width);
      expect(widest(lines)).toBeLessThanOrEqual(width);
      const text = lines.join('\n');
      for (const k of ['q, Ctrl-C', 'pause / resume', 'reset windows', 'cycle window', 'Tab', 'Enter', 'Esc', '?']) {
        expect(text).toContain(k);
      }
    });
  }
});

describe('formatting helpers', () => {
  it('fmtCount', () => {
    expect(fmtCount(950)).toBe('950');
    expect(fmtCount(12_345)).toBe('12.3k');
    expect(fmtCount(4_560_000)).toBe('4.56M');
  });
  it('errorBreakdown', () => {
    expect(errorBreakdown(windowStats())).toBe('no errors');
    expect(statusBreakdown(windowStats())).toBe('');
    expect(statusBreakdown(windowStats({ statuses: { '200': 5, '201': 1, '500': 2 } }))).toBe('HTTP 500×2');
  });
});
