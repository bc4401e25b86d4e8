import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret } from '../../../src/core/redact.js';
import { checkText, fmtCost, stopLine, thresholdLine } from '../../../src/export/check-text.js';
import type { RunSummaryJson } from '../../../src/export/junit.js';
import type { Summary, TimeStats } from '../../../src/stats/summary.js';

const ANSI = /\u001b\[[0-9;]*m/g;
const plain = (s: string): string => s.replace(ANSI, '');
const widest = (s: string): number => Math.max(...plain(s).split('\n').map((l) => [...l].length));

function times(p50: number, p95: number, p99: number): TimeStats {
  return { p50, p90: p95, p95, p99, avg: p50, min: p50 / 2, max: p99 };
}

function summary(over: Partial<Summary> = {}): Summary {
  return {
    requests: 60,
    errors: 3,
    errorRate: 0.05,
    errorTypes: { timeout: 2, rate_limited: 1 },
    unfinished: 0,
    latencyMs: times(812, 1620, 2440),
    latencyScheduledMs: times(812, 1620, 2440),
    ttfbMs: times(100, 200, 300),
    ttftMs: times(350, 700, 900),
    ttftContentMs: times(350, 700, 900),
    itlMs: times(12.34, 20, 30),
    outputTokensPerSecond: times(45.25, 60, 70),
    inputTokens: 600,
    outputTokens: 960,
    cachedInputTokens: 0,
    usageMissing: 0,
    costUsd: 0.0423,
    unpricedRequests: 0,
    ...over,
  };
}

function run(targets: string[], over: Partial<RunSummaryJson> = {}): RunSummaryJson {
  return {
    command: 'check',
    startedAt: '2025-03-01T12:00:00.000Z',
    durationMs: 60_000,
    stoppedBy: 'duration',
    targets: targets.map((name) => ({ name, baseUrl: `https://${name}.example/v1`, protocol: 'openai', summary: summary() })),
    summary: summary({ requests: 60 * targets.length }),
    thresholds: [
      { expression: 'errors:rate<0.05', ok: true, value: 0.0125 },
      { expression: 'ttft:p(95)<800', ok: false, value: 1203 },
      { expression: 'cost:sum<0.50', ok: false, value: null },
    ],
    ...over,
  };
}

afterEach(() => clearSecrets());

describe('threshold lines', () => {
  it('gives one ✓/✗ line per threshold with the deciding value, defaults marked', () => {
    const text = checkText(run(['relay']), { defaults: ['errors:rate<0.05'], color: false });
    expect(text.split('\n').slice(0, 3)).toEqual([
      '✓ errors:rate<0.05 (implied)  value=1.25%',
      '✗ ttft:p(95)<800  value=1203ms',
      '✗ cost:sum<0.50  no data',
    ]);
  });

  it('marks nothing as a default when the user gave every threshold', () => {
    expect(checkText(run(['relay']), { defaults: [], color: false })).not.toContain('(implied)');
  });

  it('moves the value of a very long expression to its own line', () => {
    const expr = `latency{target:${'x'.repeat(60)}}:p(99.9)<2000`;
    expect(thresholdLine({ expression: expr, ok: true, value: 1500 }, false)).toBe(`✓ ${expr}\n    value=1500ms`);
  });

  it('colours passing lines green and failing lines red only when asked', () => {
    const coloured = checkText(run(['relay']), { defaults: [], color: true });
    expect(coloured).toContain('\u001b[32m✓ errors:rate<0.05  value=1.25%\u001b[0m');
    expect(coloured).toContain('\u001b[31m✗ ttft:p(95)<800  value=1203ms\u001b[0m');
    expect(checkText(run(['relay']), { defaults: [], color: false })).not.toMatch(ANSI);
  });
});

describe('the table', () => {
  it('shows one target without a redundant total column', () => {
    const text = checkText(run(['relay']), { defaults: [], color: false });
    const lines = text.split('\n');
    const header = lines.find((l) => l.trim() === 'relay');
    expect(header).toBeDefined();
    expect(text).not.toMatch(/\btotal\b/);
    expect(lines.find((l) => l.startsWith('requests'))).toMatch(/^requests\s+60$/);
    expect(lines.find((l) => l.startsWith('errors'))).toMatch(/^errors\s+3 \(5\.0%\)$/);
    expect(lines.find((l) => l.startsWith('  rate_limited'))).toMatch(/^ {2}rate_limited\s+1$/);
    expect(lines.find((l) => l.startsWith('  timeout'))).toMatch(/^ {2}timeout\s+2$/);
    expect(lines.find((l) => l.startsWith('latency p50'))).toMatch(/812ms$/);
    expect(lines.find((l) => l.startsWith('latency p95'))).toMatch(/1\.62s$/);
    expect(lines.find((l) => l.startsWith('latency p99'))).toMatch(/2\.44s$/);
    expect(lines.find((l) => l.startsWith('ttft p50'))).toMatch(/350ms$/);
    expect(lines.find((l) => l.startsWith('ttft p95'))).toMatch(/700ms$/);
    expect(lines.find((l) => l.startsWith('itl p50'))).toMatch(/12\.3ms$/);
    expect(lines.find((l) => l.startsWith('tok/s p50'))).toMatch(/45\.3$/);
    expect(lines.find((l) => l.startsWith('tokens in'))).toMatch(/600$/);
    expect(lines.find((l) => l.startsWith('tokens out'))).toMatch(/960$/);
    expect(lines.find((l) => l.startsWith('cost '))).toMatch(/\$0\.0423$/);
    // $0.0423 in one minute is $2.538 an hour.
    expect(lines.find((l) => l.startsWith('cost/hour'))).toMatch(/\$2\.54$/);
  });

  it('puts up to three targets and the total side by side within 80 columns', () => {
    const names = ['relay-production-eu-west-1', 'direct', 'openrouter'];
    const r = run(names, {
      summary: summary({
        requests: 1_234_567,
        errors: 1_234_567,
        errorRate: 1,
        errorTypes: { connection_refused: 1_000_000, response_too_large: 234_567 },
        inputTokens: 123_456_789_012,
        costUsd: 1234.5,
        unpricedRequests: 5,
      }),
    });
    const text = checkText(r, { defaults: ['errors:rate<0.05'], color: true, stopNote: 'spent $0.98 of $1.00' });
    expect(widest(text)).toBeLessThanOrEqual(80);
    const header = plain(text).split('\n').find((l) => l.includes('direct'))!;
    expect(header.trim().split(/\s+/)).toEqual(['relay-produc…', 'direct', 'openrouter', 'total']);
    expect(plain(text)).toMatch(/^ {2}connection_refused\s+0\s+0\s+0\s+1000000$/m);
    expect(plain(text)).toMatch(/^requests\s+60\s+60\s+60\s+1234567$/m);
  });

  it('wraps more than three targets into blocks that each fit 80 columns', () => {
    const names = ['alpha-relay-one', 'bravo-relay-two', 'charlie-three', 'delta-four', 'echo-five'];
    const text = checkText(run(names), { defaults: [], color: false });
    expect(widest(text)).toBeLessThanOrEqual(80);
    const headers = text.split('\n').filter((l) => l.startsWith('  ') && /alpha|delta/.test(l));
    expect(headers.map((h) => h.trim().split(/\s+/))).toEqual([
      ['alpha-relay-…', 'bravo-relay-…', 'charlie-three'],
      ['delta-four', 'echo-five', 'total'],
    ]);
    expect(text.split('\n').filter((l) => l.startsWith('requests')).map((l) => l.trim().split(/\s+/))).toEqual([
      ['requests', '60', '60', '60'],
      ['requests', '60', '60', '300'],
    ]);
  });

  it('shows a target that got nothing as dashes', () => {
    const r = run(['relay', 'down']);
    r.targets[1]!.summary = null;
    const text = checkText(r, { defaults: [], color: false });
    expect(text).toMatch(/^latency p50\s+812ms\s+-\s+812ms$/m);
    expect(text).toMatch(/^requests\s+60\s+0\s+120$/m);
  });

  it('says when costs are unpriced, and marks partial sums as lower bounds', () => {
    const partly = checkText(run(['relay'], { summary: summary({ unpricedRequests: 2 }) }), { defaults: [], color: false });
    expect(partly).toContain('cost: 2 requests unpriced');
    const r = run(['relay', 'other']);
    r.targets[1]!.summary = summary({ costUsd: null, unpricedRequests: 60 });
    r.summary = summary({ costUsd: 0.0423, unpricedRequests: 60, requests: 120 });
    const text = checkText(r, { defaults: [], color: false });
    expect(text).toMatch(/^cost\s+\$0\.0423\s+unpriced\s+≥\$0\.0423$/m);
  });
});

describe('the end of the text', () => {
  it('says why the run stopped, with the caller note', () => {
    expect(stopLine('budget', 60_000, 'spent $0.98 of $1.00')).toBe(
      'stopped by the budget guard: a request could not be fitted in what was left of the budget (ran 60.0s) — spent $0.98 of $1.00',
    );
    expect(stopLine(null, 1500)).toBe('finished: every planned request was sent (ran 1.50s)');
    expect(stopLine('abortOnFail', 100)).toBe('stopped early: a threshold marked abortOnFail failed (ran 100ms)');
    const text = checkText(run(['relay'], { stoppedBy: 'interrupt' }), { defaults: [], color: false });
    expect(text).toContain('stopped: interrupted (ran 60.0s)');
  });

  it('ends with the verdict', () => {
    expect(checkText(run(['relay']), { defaults: [], color: false }).trimEnd().split('\n').at(-1)).toBe('✗ 2 of 3 thresholds failed');
    const ok = run(['relay'], { thresholds: [{ expression: 'errors:rate<0.05', ok: true, value: 0 }] });
    expect(checkText(ok, { defaults: [], color: false }).trimEnd().split('\n').at(-1)).toBe('✓ all 1 threshold passed');
  });

  it('never prints a registered secret', () => {
    registerSecret('sk-live-abcdef0123456789');
    const text = checkText(run(['relay']), { defaults: [], color: false, stopNote: 'key sk-live-abcdef0123456789 refused' });
    expect(text).not.toContain('sk-live-abcdef0123456789');
    expect(text).toContain('[REDACTED]');
  });

  it('formats costs with three significant digits below a dollar', () => {
    expect(fmtCost(0.0423)).toBe('$0.0423');
    expect(fmtCost(0.000012345)).toBe('$0.0000123');
    expect(fmtCost(12.345)).toBe('$12.35');
    expect(fmtCost(0)).toBe('$0');
  });
});
