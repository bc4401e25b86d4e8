import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv, ROOT } from '../helpers/cli.js';
import { startTmux, type Tmux } from '../helpers/tmux.js';

/**
 * Keys typed while the dashboard's thread was busy reach it in one read: on a
 * starved machine r then q came as "rq", which matched no key, and the run
 * never quit (docs/architecture.md, "Back-pressure"). tmux sends one
 * send-keys argument in one write, so "rq" here is that read.
 */
const dir = mkdtempSync(join(tmpdir(), 'relaymon-keys-tmux-'));
let term: Tmux | null = null;

afterAll(() => {
  term?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('watch --demo in tmux: keys that come in one read', () => {
  it('"rq" resets the windows and quits: exit 0, the summary says it covers the traffic after the reset', async () => {
    const env = cleanEnv({ TERM: 'xterm-256color', TMUX: undefined, TMUX_PANE: undefined });
    term = startTmux(dir, ['sh', '-c', `cd '${ROOT}' && exec '${process.execPath}' '${BIN}' watch --demo`], env);
    await term.waitFor('the dashboard with results', (l) => l.some((line) => /^relaymon {2}● running/.test(line)) && l.some((line) => / [1-9]\d* done/.test(line)));
    term.keys('rq');
    expect(await term.exitCode()).toBe('0');
    expect(term.screen().join(' ').replace(/\s+/g, ' ')).toContain('this summary covers the traffic after it');
  }, 60_000);
});
