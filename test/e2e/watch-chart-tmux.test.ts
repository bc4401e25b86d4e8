import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv, ROOT } from '../helpers/cli.js';
import { startTmux, type Tmux } from '../helpers/tmux.js';

/**
 * The dashboard's chart in a real terminal (tmux, as in watch-tmux.test.ts):
 * drawn under the panels where rows are left, switched by `m`, an alert's
 * firing marked ▲ on its time axis during the demo's staged incident, and at
 * 60×15, 80×24, 120×36 and 200×50 a frame that fits the pane (never scrolls:
 * the header on the first row, the events line on screen, no line wider).
 *
 * The demo's alerts fire within seconds to a minute: RelaySlowFirstToken
 * (ttft p95 over 1.5 s for 10 s) usually as soon as the first slow answers
 * land, RelayErrorRate (src/mock/demo.ts) after the incident starts at 20 s;
 * the test waits for either mark.
 */

const FIRE_WAIT_MS = 90_000;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-chart-tmux-'));
const env = cleanEnv({ TERM: 'xterm-256color', TMUX: undefined, TMUX_PANE: undefined, CI: 'true', CONTINUOUS_INTEGRATION: 'true' });
let term: Tmux;

const text = (lines: string[]): string => lines.join('\n');
const width = (line: string): number => [...line].length;
const chartTitle = (metric: string) => (l: string[]): boolean => l.some((line) => line.startsWith(`${metric} · 1m  ━ direct  ━ relay`));
/** The time axis row: the y labels' column, └, then ─ with marks. */
const axisRow = (l: string[]): string | undefined => l.find((line) => /^ {7}└[─▲✓]+$/.test(line.trimEnd()));
const firingMark = (l: string[]): boolean => (axisRow(l) ?? '').includes('▲');

/** The frame fits the pane: no wider line, no more rows, the header on top and the events line (the frame's last) on screen. */
function expectFits(lines: string[], cols: number, rows: number): void {
  for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(cols);
  expect(lines.length).toBeLessThanOrEqual(rows);
  expect(lines[0]).toMatch(/^relaymon {2}● /);
  expect(lines.filter((l) => /^relaymon {2}● /.test(l))).toHaveLength(1);
  expect(text(lines)).toMatch(/^(events|errors): /m);
}

async function resize(cols: number, rows: number, ok: (l: string[]) => boolean): Promise<string[]> {
  expect(term.resize(cols, rows)).toBe(`${cols}x${rows}`);
  const fits = (l: string[]): boolean => l.every((line) => width(line) <= cols) && /^relaymon {2}● /.test(l[0] ?? '') && /^(events|errors): /m.test(text(l));
  return term.waitFor(`a frame redrawn for ${cols}×${rows}`, (l) => fits(l) && ok(l));
}

beforeAll(async () => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
  } catch {
    throw new Error('tmux is not installed: the terminal e2e test needs it (run `bash .ci/test-deps`, or apt-get install tmux)');
  }
  term = startTmux(dir, ['sh', '-c', `cd '${ROOT}' && exec '${process.execPath}' '${BIN}' watch --demo`], env, { x: 120, y: 36 });
  await term.waitFor('the first frame', (l) => /^relaymon {2}● /.test(l[0] ?? ''));
});

afterAll(() => {
  term?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard chart in tmux (watch --demo)', () => {
  it('120×36: the chart is drawn under the panels with its y units and time ticks, and the frame fits', async () => {
    const bothPanels = (l: string[]): boolean => /│ direct +● \w+ +[\d.]+ rps/.test(text(l)) && /│ relay +● \w+ +[\d.]+ rps/.test(text(l));
    const lines = await term.waitFor('the latency chart with a line, both panels with data', (l) => chartTitle('latency p95')(l) && /[⠁-⣿]/.test(text(l)) && bothPanels(l));
    expectFits(lines, 120, 36);
    expect(text(lines)).toMatch(/^ +[\d.]+m?s┤/m);
    expect(axisRow(lines)).toBeDefined();
    expect(text(lines)).toMatch(/ now$/m);
    // The panels are all still there, full.
    expect(text(lines)).toMatch(/│ direct +● \w+ +[\d.]+ rps/);
    expect(text(lines)).toMatch(/│ relay +● \w+ +[\d.]+ rps/);
  });

  it('m switches the metric: TTFT, ITL, error rate, rps, $/hour, and back to latency', async () => {
    for (const metric of ['TTFT p95', 'ITL p95', 'error rate', 'rps', '$/hour', 'latency p95']) {
      term.keys('m');
      await term.waitFor(`the ${metric} chart`, chartTitle(metric));
    }
  });

  it('an alert firing in the demo is marked ▲ on the time axis', async () => {
    const lines = await term.waitFor('a firing mark on the axis', (l) => firingMark(l) && /▲ FIRING /.test(text(l)), FIRE_WAIT_MS);
    expectFits(lines, 120, 36);
  }, FIRE_WAIT_MS + 10_000);

  it('80×24: the panels keep their content, the chart takes the rows left, the mark still shows', async () => {
    const lines = await resize(80, 24, (l) => l.some((line) => line.startsWith('latency p95 · 1m')) && !l.some((line) => width(line) > 80));
    expectFits(lines, 80, 24);
    // Full panels: every line of today's panel is there.
    for (const re of [/│ lat p50 /, /│ p95 [▁-█ ]+│/, /│ p95 ttfb /, /│ tok\/s /, /│ err /, /│ tokens in /, /│ cost /]) expect(text(lines)).toMatch(re);
    expect(firingMark(lines)).toBe(true);
  });

  it('200×50: panels side by side, a tall chart', async () => {
    const chartRows = (l: string[]): number => l.findIndex((line) => /^ {7}└/.test(line)) - l.findIndex((line) => line.startsWith('latency p95 · 1m'));
    // 49 rows − 1 kept free − header 2, alerts 1–3, events 1 − panels 11: 30 to 32 rows of chart.
    const lines = await resize(200, 50, (l) => chartRows(l) >= 25 && l.some((line) => /│ (?:› )?direct .*││ (?:› )?relay /.test(line)));
    expectFits(lines, 200, 50);
    expect(firingMark(lines)).toBe(true);
  });

  it('60×15: still drawn without scrolling; two lines per target, the chart only if its six rows are left', async () => {
    const lines = await resize(60, 15, (l) => /^.direct {2}● \w+ {2}p95 /m.test(text(l)) && /^.relay {2}● \w+ {2}p95 /m.test(text(l)));
    expectFits(lines, 60, 15);
    expect(text(lines)).not.toMatch(/[╭╮╰╯]/);
    expect(text(lines)).toMatch(/^ {2}lat p50 /m);
    const title = lines.findIndex((l) => l.startsWith('latency p95 · 1m'));
    // Drawn whole or not at all.
    if (title >= 0) expect(axisRow(lines.slice(title))).toBeDefined();
  });
});
