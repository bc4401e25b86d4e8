import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv, ROOT, SENTINEL_KEY, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { startTmux, type Tmux } from '../helpers/tmux.js';

/**
 * `relaymon watch` on a Responses API target, in a real terminal (tmux): the
 * dashboard draws the same timing rows as for Chat Completions, the traffic
 * really goes to POST /responses, the key never reaches the screen, q ends it
 * with 0.
 */
const dir = mkdtempSync(join(tmpdir(), 'relaymon-tmux-resp-'));
let mock: MockProcess;
let term: Tmux;
const text = (lines: string[]): string => lines.join('\n');

beforeAll(async () => {
  mock = await startMockProcess(['--ttft', '60', '--itl', '10', '--tokens', '12']);
  const config = join(dir, 'relaymon.config.yaml');
  writeFileSync(
    config,
    `targets:\n  resp:\n    baseUrl: ${mock.url}\n    protocol: openai-responses\n    apiKeyEnv: OPENAI_API_KEY\nprobes:\n  hello:\n    model: gpt-4o-mini\n    every: 300ms\n`,
  );
  const env = cleanEnv({ TERM: 'xterm-256color', TMUX: undefined, TMUX_PANE: undefined, OPENAI_API_KEY: SENTINEL_KEY });
  term = startTmux(dir, ['sh', '-c', `cd '${ROOT}' && exec '${process.execPath}' '${BIN}' watch --config '${config}'`], env);
});

afterAll(async () => {
  term?.kill();
  await mock?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('relaymon watch on an openai-responses target in tmux', () => {
  it('draws latency, TTFT and ITL for the Responses stream, sends to /responses, never shows the key, q exits 0', async () => {
    const lines = await term.waitFor('the resp panel with latency and TTFT numbers', (l) =>
      /lat p50 [\d.]+m?s {2}p95 [\d.]+m?s/.test(text(l)) && /ttft [\d.]+m?s/.test(text(l)) && /itl [\d.]+m?s/.test(text(l)),
    );
    expect(text(lines)).toMatch(/resp +● (?:ok|degraded) +[\d.]+ rps +\d+ req/);
    expect(text(lines)).not.toContain('SENTINEL');
    const stats = (await (await fetch(mock.url.replace(/\/v1$/, '/__relaymon/stats'))).json()) as { byRoute: Record<string, number> };
    expect(stats.byRoute['responses']).toBeGreaterThan(0);
    expect(stats.byRoute['chat'] ?? 0).toBe(0);
    term.keys('q');
    expect(await term.exitCode()).toBe('0');
    expect(text(term.screen())).not.toContain('SENTINEL');
  }, 60_000);
});
