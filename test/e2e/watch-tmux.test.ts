import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv, ROOT } from '../helpers/cli.js';

/**
 * `relaymon watch --demo` in a real terminal: tmux gives the dashboard a pty,
 * the test reads the screen with capture-pane and types with send-keys. The
 * tmux server is private to this file (its own socket, no user config), so a
 * user's own tmux is never touched. The steps share one session and run in
 * order, like a person at the keyboard.
 */

const WAIT_MS = 20_000;
const POLL_MS = 100;
const dir = mkdtempSync(join(tmpdir(), 'relaymon-tmux-'));
const socket = join(dir, 'tmux.sock');
const codeFile = join(dir, 'code');
const SESSION = 'watch';
// CI runners set CI=true, and Ink alone would then draw nothing until it unmounts; stdout is a
// terminal here, so watch must draw anyway (it clears the variables before loading Ink).
const env = cleanEnv({ TERM: 'xterm-256color', TMUX: undefined, TMUX_PANE: undefined, CI: 'true', CONTINUOUS_INTEGRATION: 'true' });

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The visible screen, one string per row; -J joins rows the terminal wrapped, so a too-long line shows as one long line. */
function screen(): string[] {
  return tmux('capture-pane', '-p', '-J', '-t', SESSION).replace(/\n$/, '').split('\n');
}

function keys(...k: string[]): void {
  tmux('send-keys', '-t', SESSION, ...k);
}

async function waitFor(what: string, ok: (lines: string[]) => boolean, ms = WAIT_MS): Promise<string[]> {
  const deadline = Date.now() + ms;
  let lines: string[] = [];
  for (;;) {
    lines = screen();
    if (ok(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; the screen was:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const text = (lines: string[]): string => lines.join('\n');
const has = (s: string | RegExp) => (lines: string[]) => (typeof s === 'string' ? text(lines).includes(s) : s.test(text(lines)));
const width = (line: string): number => [...line].length;

/** "12 done" from the header, or null while the header shows something else (e.g. "client saturated"). */
function doneCount(lines: string[]): number | null {
  const m = / (\d+) done, \d+ errors/.exec(text(lines));
  return m ? Number(m[1]) : null;
}

/** Requests in the window summed over the panels' titles ("direct  ● ok  2.5 rps  5 req"), or null when a panel has none. */
function panelRequests(lines: string[]): number | null {
  const counts = [...text(lines).matchAll(/(?:direct|relay) +● (?:ok|degraded|down) +[\d.]+ rps +(\d+) req/g)].map((m) => Number(m[1]));
  return counts.length === 2 ? counts[0]! + counts[1]! : null;
}

/** A full frame with both panels showing latency numbers. */
const bothPanelsWithNumbers = (lines: string[]): boolean =>
  (text(lines).match(/lat p50 [\d.]+m?s {2}p95 [\d.]+m?s {2}p99 [\d.]+m?s/g) ?? []).length === 2;

function tmuxAvailable(): void {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
  } catch {
    throw new Error('tmux is not installed: the terminal e2e test needs it (run `bash .ci/test-deps`, or apt-get install tmux)');
  }
}

/** The pane runs this: the CLI with the test's clean environment, then the exit code to a file, then stays open. */
function wrapperScript(): string {
  const quote = (v: string): string => `'${v.replaceAll("'", `'\\''`)}'`;
  const exports = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e[0]))
    .map(([k, v]) => `export ${k}=${quote(v)}`);
  return [
    '#!/bin/sh',
    'unset TMUX TMUX_PANE',
    ...exports,
    `cd ${quote(ROOT)}`,
    `${quote(process.execPath)} ${quote(BIN)} watch --demo`,
    `echo $? > ${quote(codeFile)}`,
    'exec sleep 600',
  ].join('\n');
}

beforeAll(async () => {
  tmuxAvailable();
  const script = join(dir, 'run.sh');
  writeFileSync(script, wrapperScript() + '\n');
  chmodSync(script, 0o755);
  tmux('new-session', '-d', '-s', SESSION, '-x', '120', '-y', '40', script);
  await waitFor('the first frame', has(/^relaymon {2}● /m));
});

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // Already gone (or never started): nothing to clean.
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('relaymon watch --demo in tmux', () => {
  it('draws the header and both panels with numbers', async () => {
    const lines = await waitFor('both panels with latency numbers', bothPanelsWithNumbers);
    expect(lines[0]).toMatch(/^relaymon {2}● \S+.* {2}window 1m {2}/);
    expect(text(lines)).toMatch(/2 targets: direct, relay|client saturated/);
    expect(text(lines)).toMatch(/direct +● (?:ok|degraded|down) +[\d.]+ rps +\d+ req/);
    expect(text(lines)).toMatch(/relay +● (?:ok|degraded|down) +[\d.]+ rps +\d+ req/);
    expect(text(lines)).toMatch(/ttft [\d.]+m?s/);
    expect(text(lines)).toMatch(/cost \$[\d.]+ /);
  });

  it('numbers move over time', async () => {
    const first = doneCount(await waitFor('a "N done" count', (l) => doneCount(l) !== null));
    const later = await waitFor(`the done count to grow past ${first}`, (l) => (doneCount(l) ?? 0) > first!);
    expect(doneCount(later)).toBeGreaterThan(first!);
  });

  it('w cycles the window to 5m, with its numbers (the engine computes only the windows shown: it is asked for 5m now)', async () => {
    keys('w');
    const lines = await waitFor('"window 5m" and both panels with numbers', (l) => has('window 5m')(l) && bothPanelsWithNumbers(l));
    expect(lines[0]).toContain('window 5m');
  });

  it('p pauses: the header says so and, once requests in flight have landed, the count stops', async () => {
    keys('p');
    await waitFor('"paused" in the header', has('● paused'));
    // Settled: no new result for 4 s (the slowest demo request takes about 3 s).
    let last = -1;
    let since = Date.now();
    const settled = await waitFor('the request count to settle', (l) => {
      const n = panelRequests(l);
      if (n === null) return false;
      if (n !== last) {
        last = n;
        since = Date.now();
      }
      return Date.now() - since >= 4000;
    });
    const count = panelRequests(settled)!;
    // Then nothing is sent for as long again (running, the demo sends 4 requests a second).
    const until = Date.now() + 3000;
    const after = await waitFor('3 s more of pause', (l) => Date.now() >= until || panelRequests(l) !== count);
    expect(panelRequests(after)).toBe(count);
  });

  it('p again resumes: "running" and the count grows', async () => {
    const before = panelRequests(screen());
    expect(before).not.toBeNull();
    keys('p');
    await waitFor('"running" in the header', has('● running'));
    const lines = await waitFor(`the request count to grow past ${before}`, (l) => (panelRequests(l) ?? 0) > before!);
    expect(panelRequests(lines)).toBeGreaterThan(before!);
  });

  it('Tab then Enter opens the detail view of the focused target; Esc goes back', async () => {
    keys('Tab');
    await waitFor('the focus marker on direct', has('› direct'));
    keys('Enter');
    const detail = await waitFor('the detail view', has(/direct {2}detail · window 5m/));
    await waitFor('the latency distribution', has('latency distribution'));
    expect(text(detail)).toMatch(/^latency +[\d.]+m?s/m);
    expect(text(detail)).toMatch(/^ttft +[\d.]+m?s/m);
    keys('Escape');
    const back = await waitFor('the panels again', (l) => bothPanelsWithNumbers(l) && !has('latency distribution')(l));
    expect(text(back)).not.toContain('detail ·');
  });

  it('shrunk to 60×15 the frame fits the pane: no line wider, no row lost, the header still on top', async () => {
    tmux('resize-window', '-t', SESSION, '-x', '60', '-y', '15');
    expect(tmux('display-message', '-p', '-t', SESSION, '#{pane_width}x#{pane_height}').trim()).toBe('60x15');
    // Borderless panels (one or two lines) are only drawn at the small size: the frame is the new one, not the old one cut off.
    const fits = (l: string[]): boolean => l.every((line) => width(line) <= 60) && /^relaymon {2}/.test(l[0] ?? '');
    const lines = await waitFor('a frame redrawn for 60×15', (l) => fits(l) && has(/^.direct {2}● \w+ {2}p95 /m)(l) && has(/^.relay {2}● \w+ {2}p95 /m)(l));
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(60);
    expect(lines.filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(15);
    // No debris of the wider frame: one header, no border pieces left behind.
    expect(lines.filter((l) => /^relaymon {2}● /.test(l))).toHaveLength(1);
    // No panel border (the chart's y axis, when the rows leave room for it, is a │ after its labels, never first).
    expect(text(lines)).not.toMatch(/[╭╮╰╯]|^│/m);
    expect(lines[0]).toMatch(/^relaymon {2}● /);
    // The last row of the frame is still on screen too.
    expect(text(lines)).toMatch(/^(events|errors): /m);
    expect(text(lines)).not.toContain('╭');
  });

  it('grown to 200×50 the two panels sit side by side', async () => {
    tmux('resize-window', '-t', SESSION, '-x', '200', '-y', '50');
    const sideBySide = (l: string[]): boolean => l.some((line) => /│ (?:› )?direct .*││ (?:› )?relay /.test(line));
    const lines = await waitFor('the panels side by side', (l) => sideBySide(l) && bothPanelsWithNumbers(l));
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(200);
    expect(lines[0]).toMatch(/^relaymon {2}● /);
    expect(lines.filter((l) => /^╭─+╮╭─+╮$/.test(l))).toHaveLength(1);
  });

  it('r then q: the frame goes, the summary says it covers the traffic after the reset, and the exit code is 0', async () => {
    keys('r');
    await new Promise((r) => setTimeout(r, 300));
    keys('q');
    const lines = await waitFor('the summary', has(/^stopped: /m), 30_000);
    const out = text(lines);
    expect(out).toMatch(/^[✓✗] ttft:p\(95\)<1500 {2}value=/m);
    expect(out).toMatch(/^[✓✗] errors:rate<0\.05 {2}value=/m);
    expect(out).toMatch(/^requests +\d+ +\d+ +\d+$/m);
    expect(out).toMatch(/^ +direct +relay +total$/m);
    expect(out).not.toMatch(/^relaymon {2}● /m);
    expect(out).toMatch(/windows reset at/);
    expect(out.replace(/\s+/g, ' ')).toContain('this summary covers the traffic after it');
    const deadline = Date.now() + WAIT_MS;
    while (!existsSync(codeFile) || readFileSync(codeFile, 'utf8').trim() === '') {
      if (Date.now() > deadline) throw new Error(`no exit code after ${WAIT_MS} ms; the screen was:\n${text(screen())}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    expect(readFileSync(codeFile, 'utf8').trim()).toBe('0');
  }, 45_000);
});

describe('relaymon watch in a terminal without a keyboard (stdin not a terminal)', () => {
  const session = 'nokeys';
  const code = join(dir, 'code-nokeys');

  it('draws the dashboard without raw mode, ends by itself at --duration, prints the summary, exit code = its verdict', async () => {
    const quote = (v: string): string => `'${v.replaceAll("'", `'\\''`)}'`;
    const script = join(dir, 'nokeys.sh');
    const exports = Object.entries(env)
      .filter((e): e is [string, string] => e[1] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e[0]))
      .map(([k, v]) => `export ${k}=${quote(v)}`);
    writeFileSync(
      script,
      ['#!/bin/sh', 'unset TMUX TMUX_PANE', ...exports, `cd ${quote(ROOT)}`, `${quote(process.execPath)} ${quote(BIN)} watch --demo --duration 4s < /dev/null 2>&1`, `echo $? > ${quote(code)}`, 'exec sleep 600'].join('\n') + '\n',
    );
    chmodSync(script, 0o755);
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', script);
    const view = (): string => tmux('capture-pane', '-p', '-J', '-t', session);
    const deadline = Date.now() + WAIT_MS;
    let drawn = false;
    while (!existsSync(code) || readFileSync(code, 'utf8').trim() === '') {
      if (/│ direct +● /.test(view())) drawn = true;
      if (Date.now() > deadline) throw new Error(`watch did not end; the screen was:\n${view()}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const out = view();
    expect(drawn).toBe(true);
    expect(out).not.toMatch(/raw mode/i);
    expect(out).toMatch(/^stopped: the duration was reached/m);
    // A bounded run ends like check: the demo's thresholds decide (a few 429s in 4 s can breach errors:rate<0.05).
    const failed = /^✗ /m.test(out);
    expect(readFileSync(code, 'utf8').trim()).toBe(failed ? '1' : '0');
  }, 30_000);
});
