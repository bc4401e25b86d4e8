import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv, ROOT } from '../helpers/cli.js';
import { startTmux, type Tmux } from '../helpers/tmux.js';

/**
 * q while requests hang: the dashboard waits WATCH_GRACE_MS (5 s, src/run/defaults.ts) for them, and the note
 * on the requests it then cut must name that wait, not the headless runs' 10 s (src/run/outcome.ts).
 */
const dir = mkdtempSync(join(tmpdir(), 'relaymon-quit-grace-tmux-'));
let term: Tmux | null = null;
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

afterAll(async () => {
  term?.kill();
  for (const s of held) s.destroy();
  await new Promise((resolve) => hang.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('watch in tmux: q while every request hangs', () => {
  it('says it waits 5 s, and the requests it cut were cut after that 5 s grace period', async () => {
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
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
});
