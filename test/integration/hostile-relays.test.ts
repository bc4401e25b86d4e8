/**
 * The hostile-relay table: ONE loopback server whose first path segment picks
 * how it misbehaves, and one row per misbehaviour. Each row runs the real CLI
 * twice: `check -n 2` to its end, and a `check -d 60s` interrupted with SIGINT
 * while the case is in flight. Every row checks the errorType (summary and
 * request log), the exit code, a bounded wall time, Ctrl-C (exit 130, summary
 * still printed) and that no output or file written carries the key.
 *
 * Expectations are the contract (README "Errors" and "Exit codes"), not what
 * some version of the code happens to do.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import { SENTINEL_KEY } from '../helpers/cli.js';
import { concurrencyLimit, describeRun, outputsOf, runCliBounded, startCaseServer, writeSlowly, type BoundedRun, type CaseServer, type HostileHandler } from '../helpers/hostile.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';
import type { ErrorType, TimeoutPhase } from '../../src/core/result.js';

// Short per-request timeouts so stalls end fast; a stop's grace period is the CLI's own (10 s, src/run/defaults.ts).
const TIMEOUTS = { connect: '2s', firstToken: '2s', idle: '2s', total: '6s' };
const TOTAL_MS = 6000;
const EVERY_MS = 200;
const GRACE_MS = 10_000;
// The run's own clock (durationMs) may pass the longest a request can take by this much.
const RUN_MARGIN_MS = 2000;
// Starting and stopping node on a loaded 2-core box (load 15 was seen): process wall
// time only catches hangs and ignored signals; the run's own bound is on durationMs.
const SLACK_MS = 10_000;
// The interrupted runs send slower, so that few requests are in flight when SIGINT comes.
const INTERRUPTED_EVERY = '1s';
const MB = 1024 * 1024;

interface Row {
  name: string;
  handler: HostileHandler;
  errorType: ErrorType | null;
  timeoutPhase?: TimeoutPhase;
  exit: 0 | 1 | 3;
  /** Extra time the relay itself asks for (retry-after), ms. */
  extraMs?: number;
  /** When to send SIGINT in the interrupted run: when the request arrives (default) or once its response is written. */
  interruptOn?: 'request' | 'responded';
}

function okStream(eol = '\n'): string[] {
  return [
    sse(openaiChunk({ role: 'assistant', content: '' }), undefined, eol),
    sse(openaiChunk({ content: 'O' }), undefined, eol),
    sse(openaiChunk({ content: 'K' }), undefined, eol),
    sse(openaiChunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), undefined, eol),
    sse(openaiUsageChunk(12, 2), undefined, eol),
    `data: [DONE]${eol}${eol}`,
  ];
}

function completion(content: string): Record<string, unknown> {
  return {
    id: 'chatcmpl-hostile',
    object: 'chat.completion',
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 },
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Writes `total` bytes of SSE in 1 MB events, waiting for the socket to drain; stops when the client hangs up. */
async function writeMegabytes(res: ServerResponse, total: number, word: string): Promise<void> {
  res.writeHead(200, SSE_HEADERS);
  const event = sse(openaiChunk({ content: word.repeat(Math.ceil(MB / word.length)) }));
  for (let sent = 0; sent < total && !res.destroyed; sent += event.length) {
    if (!res.write(event)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done).off('close', done);
          resolve();
        };
        res.on('drain', done).on('close', done);
      });
    }
  }
  if (!res.destroyed) res.end('data: [DONE]\n\n');
}

const ROWS: Row[] = [
  {
    name: 'html',
    handler: (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>hi</body></html>');
    },
    errorType: 'bad_response',
    exit: 1,
  },
  {
    name: 'http-401',
    // Like OpenAI, the relay echoes the key it was sent: that must never be printed.
    handler: (q, res) => json(res, 401, { error: { message: `Incorrect API key provided: ${String(q.headers['authorization'])}`, type: 'invalid_request_error', code: 'invalid_api_key' } }),
    errorType: 'auth',
    exit: 1,
  },
  { name: 'http-403', handler: (_q, res) => json(res, 403, { error: { message: 'Forbidden', type: 'permission_error' } }), errorType: 'auth', exit: 1 },
  { name: 'http-404', handler: (_q, res) => json(res, 404, { error: { message: 'Not found', type: 'not_found_error' } }), errorType: 'not_found', exit: 1 },
  {
    name: 'http-429',
    handler: (_q, res) => json(res, 429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': '1' }),
    errorType: 'rate_limited',
    exit: 1,
    extraMs: 1000,
  },
  { name: 'http-500', handler: (_q, res) => json(res, 500, { error: { message: 'Internal error', type: 'server_error' } }), errorType: 'server_error', exit: 1 },
  {
    name: 'http-503',
    handler: (_q, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
    },
    errorType: 'server_error',
    exit: 1,
  },
  { name: 'http-529', handler: (_q, res) => json(res, 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), errorType: 'overloaded', exit: 1 },
  { name: 'quota-in-200', handler: (_q, res) => json(res, 200, { error: { type: 'insufficient_quota' } }), errorType: 'quota_exceeded', exit: 1 },
  {
    name: 'gzip',
    handler: (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(JSON.stringify(completion('OK'))));
    },
    errorType: null,
    exit: 0,
  },
  {
    name: 'bad-json',
    handler: (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"chatcmpl-x","choices":[{"message":');
    },
    errorType: 'bad_response',
    exit: 1,
  },
  {
    name: 'no-terminator',
    handler: async (_q, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, okStream().slice(0, -1));
      res.end();
    },
    errorType: 'stream_truncated',
    exit: 1,
  },
  {
    name: 'crlf',
    handler: async (_q, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, okStream('\r\n'));
      res.end();
    },
    errorType: null,
    exit: 0,
  },
  {
    name: 'comments',
    handler: async (_q, res) => {
      res.writeHead(200, SSE_HEADERS);
      const [first, ...rest] = okStream();
      await writeSlowly(res, [': OPENROUTER PROCESSING\n\n', first!, ':\n', ...rest.flatMap((e) => [': keep-alive\n\n', e])]);
      res.end();
    },
    errorType: null,
    exit: 0,
  },
  {
    name: 'split-utf8',
    handler: async (_q, res) => {
      res.writeHead(200, SSE_HEADERS);
      const bytes = Buffer.from(sse(openaiChunk({ content: 'h世🙂' })));
      const at = bytes.indexOf(Buffer.from('世')) + 1; // inside the 3-byte character
      const at2 = bytes.indexOf(Buffer.from('🙂')) + 2; // inside the 4-byte one
      const [role, ...rest] = okStream();
      await writeSlowly(res, [role!, bytes.subarray(0, at), { waitMs: 30 }, bytes.subarray(at, at2), { waitMs: 30 }, bytes.subarray(at2), ...rest]);
      res.end();
    },
    errorType: null,
    exit: 0,
  },
  {
    name: 'stall',
    handler: (_q, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.flushHeaders(); // and then nothing, until the client gives up
    },
    errorType: 'timeout',
    timeoutPhase: 'first_token',
    exit: 1,
  },
  {
    name: 'stall-mid-stream',
    handler: (_q, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.write(okStream().slice(0, 2).join(''));
    },
    errorType: 'timeout',
    timeoutPhase: 'idle',
    exit: 1,
  },
  {
    name: 'reset-mid-stream',
    handler: async (_q, res) => {
      res.writeHead(200, SSE_HEADERS);
      await writeSlowly(res, [...okStream().slice(0, 2), { waitMs: 50 }]);
      res.socket?.resetAndDestroy();
    },
    errorType: 'connection_reset',
    exit: 1,
  },
  {
    // No request ever gets an HTTP answer: unreachable.
    name: 'reset-before-answer',
    handler: (q) => {
      q.socket.resetAndDestroy();
    },
    errorType: 'connection_reset',
    exit: 3,
  },
  {
    name: 'over-16mb',
    handler: (_q, res) => writeMegabytes(res, 17 * MB, 'lorem ipsum '),
    errorType: 'response_too_large',
    exit: 1,
    interruptOn: 'responded',
  },
  {
    name: 'one-word-10mb',
    handler: (_q, res) => json(res, 200, completion('a'.repeat(10 * MB))),
    errorType: null,
    exit: 0,
    interruptOn: 'responded',
  },
];

let server: CaseServer;
let dir: string;

beforeAll(async () => {
  server = await startCaseServer(Object.fromEntries(ROWS.map((r) => [r.name, r.handler])));
  dir = mkdtempSync(join(tmpdir(), 'relaymon-hostile-'));
});
afterAll(async () => {
  await server?.close();
});

/** At most this many CLI processes at once: 2 cores, shared. */
const limited = concurrencyLimit(4);

async function runCase(row: Row, mode: 'to-end' | 'interrupted'): Promise<BoundedRun> {
  const run = `${row.name}-${mode}`;
  const runDir = mkdtempSync(join(dir, `${run}-`));
  const config = join(runDir, 'relaymon.config.json');
  writeFileSync(
    config,
    JSON.stringify({ targets: { relay: { baseUrl: server.urlFor(row.name), apiKeyEnv: 'HOSTILE_RELAY_KEY', headers: { 'x-hostile-run': run }, timeouts: TIMEOUTS } } }),
  );
  const span = mode === 'to-end' ? ['-n', '2', '--every', `${EVERY_MS}ms`] : ['-d', '60s', '--every', INTERRUPTED_EVERY];
  const args = ['check', '--config', config, '--base-url', server.urlFor(row.name), '-m', 'gpt-4o-mini', ...span, '--json'];
  args.push('--log', join(runDir, 'requests.jsonl'), '--summary', join(runDir, 'summary.json'), '--junit', join(runDir, 'junit.xml'));
  const interruptWhen =
    mode === 'interrupted' ? server.firstRequest(run).then(async (seen) => (row.interruptOn === 'responded' ? seen.responded : undefined)) : undefined;
  return limited(() =>
    runCliBounded({
      args,
      env: { HOSTILE_RELAY_KEY: SENTINEL_KEY },
      dir: runDir,
      boundMs: mode === 'to-end' ? runBound(row) + SLACK_MS : GRACE_MS + SLACK_MS,
      ...(interruptWhen ? { interruptWhen } : {}),
    }),
  );
}

/** The longest `check -n 2` may run by its own clock: the second send, the longest a request may take, what the relay asked to wait. */
function runBound(row: Row): number {
  return EVERY_MS + TOTAL_MS + (row.extraMs ?? 0) + RUN_MARGIN_MS;
}

interface SummaryJson {
  durationMs: number;
  stoppedBy: string | null;
  summary: { requests: number; errors: number; errorTypes: Record<string, number> };
}

function parseSummary(text: string | undefined): SummaryJson | null {
  try {
    return JSON.parse(text ?? '') as SummaryJson;
  } catch {
    return null;
  }
}

type LogLine = { result: { errorType: string | null; timeoutPhase: string | null } };

describe.concurrent('hostile relays: check against each, to the end and interrupted', () => {
  // Soft assertions: a row that breaks the contract in several ways reports all of them.
  it.for(ROWS)('$name', { timeout: 180_000 }, async (row, { expect }) => {
    const [full, interrupted] = await Promise.all([runCase(row, 'to-end'), runCase(row, 'interrupted')]);

    // The key really went to the relay, so its absence from every output means something.
    const seen = server.requests.find((r) => r.run === `${row.name}-to-end`);
    expect(seen?.headers['authorization']).toBe(`Bearer ${SENTINEL_KEY}`);

    // --- to the end: within its bound, the contract's exit code and error type ---
    const fullInfo = describeRun(full);
    expect.soft(full.killed, fullInfo).toBeNull();
    expect.soft(full.result?.code, fullInfo).toBe(row.exit);
    const summary = parseSummary(full.result?.stdout);
    expect.soft(summary, `--json printed no summary\n${fullInfo}`).not.toBeNull();
    if (summary) {
      expect.soft(summary.durationMs, `the run outlived its longest request\n${fullInfo}`).toBeLessThanOrEqual(runBound(row));
      expect.soft(summary.summary.requests, fullInfo).toBeGreaterThanOrEqual(1);
      expect.soft(summary.summary.errorTypes, fullInfo).toEqual(row.errorType === null ? {} : { [row.errorType]: summary.summary.requests });
      expect.soft(parseSummary(full.files.get('summary.json')), '--summary FILE holds what --json printed').toEqual(summary);
    }
    const logged = (full.files.get('requests.jsonl') ?? '').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LogLine);
    expect.soft(logged.length, 'request log lines').toBeGreaterThanOrEqual(1);
    for (const line of logged) {
      expect.soft({ errorType: line.result.errorType, timeoutPhase: line.result.timeoutPhase }, 'request log').toEqual({ errorType: row.errorType, timeoutPhase: row.timeoutPhase ?? null });
    }
    for (const [where, text] of outputsOf(full)) expect.soft(text.includes(SENTINEL_KEY), `the key is in ${where} (to the end)`).toBe(false);

    // --- Ctrl-C while the case is in flight: stops within the grace period, summary still printed ---
    const intInfo = describeRun(interrupted);
    expect.soft(interrupted.afterSigintMs, `SIGINT was never sent\n${intInfo}`).not.toBeNull();
    expect.soft(interrupted.killed, intInfo).toBeNull();
    expect.soft(interrupted.result?.code, intInfo).toBe(130);
    const stopped = parseSummary(interrupted.result?.stdout);
    expect.soft(stopped, `no summary after Ctrl-C\n${intInfo}`).not.toBeNull();
    if (stopped) {
      expect.soft(stopped.stoppedBy, intInfo).toBe('interrupt');
      // Requests relaymon itself cut short are not the relay's errors.
      expect.soft(Object.keys(stopped.summary.errorTypes).filter((t) => t !== row.errorType), intInfo).toEqual([]);
    }
    expect.soft(interrupted.files.has('summary.json'), '--summary FILE written after Ctrl-C').toBe(true);
    for (const [where, text] of outputsOf(interrupted)) expect.soft(text.includes(SENTINEL_KEY), `the key is in ${where} (interrupted)`).toBe(false);
  });
});
