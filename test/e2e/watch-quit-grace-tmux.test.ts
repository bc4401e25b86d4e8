import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv, ROOT, SENTINEL_KEY } from '../helpers/cli.js';
import { startTmux, type Tmux } from '../helpers/tmux.js';

/**
 * q while requests hang: the dashboard waits WATCH_GRACE_MS (5 s, src/run/defaults.ts) for them, and the note
 * on the requests it then cut must name that wait, not the headless runs' 10 s (src/run/outcome.ts).
 */
const dir = mkdtempSync(join(tmpdir(), 'relaymon-quit-grace-tmux-'));
const cutDir = mkdtempSync(join(tmpdir(), 'relaymon-quit-cut-tmux-'));
let term: Tmux | null = null;
let cutTerm: Tmux | null = null;
const held = new Set<Socket>();
/** Connections a request came in on (the warm-up's own connections send nothing). */
let asked = 0;
// Takes every connection and request and never answers.
const hang: Server = createServer((socket) => {
  held.add(socket);
  socket.once('data', () => (asked += 1));
  socket.on('error', () => undefined);
  socket.on('close', () => held.delete(socket));
});

beforeAll(() => new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve)));

afterAll(async () => {
  term?.kill();
  cutTerm?.kill();
  for (const s of held) s.destroy();
  await new Promise((resolve) => hang.close(resolve));
  rmSync(dir, { recursive: true, force: true });
  rmSync(cutDir, { recursive: true, force: true });
});

describe('watch in tmux: q while every request hangs', () => {
  it('says it waits 5 s, and the requests it cut were cut after that 5 s grace period', async () => {
    const port = (hang.address() as { port: number }).port;
    const env = cleanEnv({ TERM: 'xterm-256color', TMUX: undefined, TMUX_PANE: undefined });
    const cmd = `cd '${ROOT}' && exec '${process.execPath}' '${BIN}' watch --base-url http://127.0.0.1:${port}/v1 -m gpt-4o --rate 20/s`;
    term = startTmux(dir, ['sh', '-c', cmd], env);
    await term.waitFor('requests in flight', () => asked >= 2);
    await term.waitFor('the dashboard', (l) => l.some((line) => /^relaymon {2}● running/.test(line)));
    term.keys('q');
    expect(await term.exitCode(30_000)).toBe('0');
    const text = term.screen().join(' ').replace(/\s+/g, ' ');
    expect(text).toMatch(/waiting up to 5s for \d+ request\(s\) in flight/);
    expect(text).toMatch(/requests were still unanswered when the run stopped \(cut after its 5 s grace period\)/);
    expect(text).not.toContain('10 s grace period');
  }, 60_000);

  // The wait's own line offers Ctrl-C. It cancels what is in flight at once; the summary is still printed and
  // written, and the exit is 130 (a signal outside the dashboard), not 0 with the summary lost.
  it('Ctrl-C during that wait cuts it: the summary is still printed and written, exit 130', async () => {
    const port = (hang.address() as { port: number }).port;
    const summary = join(cutDir, 'summary.json');
    const env = cleanEnv({ TERM: 'xterm-256color', TMUX: undefined, TMUX_PANE: undefined, OPENAI_API_KEY: SENTINEL_KEY });
    const before = asked;
    const cmd = `cd '${ROOT}' && exec '${process.execPath}' '${BIN}' watch --base-url http://127.0.0.1:${port}/v1 -m gpt-4o --rate 20/s --summary '${summary}'`;
    cutTerm = startTmux(cutDir, ['sh', '-c', cmd], env);
    await cutTerm.waitFor('requests in flight', () => asked >= before + 2);
    await cutTerm.waitFor('the dashboard', (l) => l.some((line) => /^relaymon {2}● running/.test(line)));
    cutTerm.keys('q');
    await cutTerm.waitFor('the wait', (l) => l.join(' ').includes('(Ctrl-C to stop waiting)'));
    cutTerm.keys('C-c');
    expect(await cutTerm.exitCode(30_000)).toBe('130');
    const text = cutTerm.screen().join(' ').replace(/\s+/g, ' ');
    expect(text).toMatch(/requests were still unanswered when the run stopped \(cut when Ctrl-C or SIGTERM ended the wait for them\)/);
    expect(text).not.toContain('SENTINEL');
    const written = JSON.parse(readFileSync(summary, 'utf8')) as { command: string; stoppedBy: string; summary: { unfinished: number } };
    expect(written.command).toBe('watch');
    expect(written.stoppedBy).toBe('interrupt');
    expect(written.summary.unfinished).toBeGreaterThan(0);
    expect(readFileSync(summary, 'utf8')).not.toContain('SENTINEL');
  }, 60_000);
});
