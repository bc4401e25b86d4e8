import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RelaymonError, UsageError } from '../../../src/core/errors.js';
import { clearSecrets, registerSecret } from '../../../src/core/redact.js';
import { RequestLog } from '../../../src/export/request-log.js';
import { anthropicAdapter, openaiAdapter } from '../../../src/protocol/index.js';
import type { RequestSpec } from '../../../src/protocol/adapter.js';
import { readReplayFile } from '../../../src/traffic/replay/index.js';
import { result } from './result.js';

const dir = mkdtempSync(join(tmpdir(), 'relaymon-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => clearSecrets());

let n = 0;
const freshPath = (): string => join(dir, `log-${++n}.jsonl`);

const spec = (content: string, model = 'gpt-4o-mini'): RequestSpec => ({ model, messages: [{ role: 'user', content }], maxTokens: 16, stream: true });

function lines(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('RequestLog', () => {
  it('writes one JSON line per request with v, t, time, target, probe, protocol, body and the whole result', () => {
    const path = freshPath();
    const log = RequestLog.open(path, { logBodies: true });
    const body = openaiAdapter.buildBody(spec('Reply with OK'));
    const r = result({ probe: 'chat-small' });
    log.write({ t: 1234.56789, body, result: r });
    log.close();
    const [line, ...rest] = lines(path);
    expect(rest).toEqual([]);
    expect(Object.keys(line!)).toEqual(['v', 't', 'time', 'target', 'probe', 'protocol', 'body', 'result']);
    expect(line).toEqual({
      v: 1,
      t: 1234.568,
      time: '2025-03-01T12:00:00.250Z',
      target: 'relay',
      probe: 'chat-small',
      protocol: 'openai',
      body,
      result: r,
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('takes time, target, probe and protocol from the entry when given', () => {
    const path = freshPath();
    const log = RequestLog.open(path, { logBodies: true });
    log.write({ t: 0, time: '2020-01-01T00:00:00.000Z', target: 'other', probe: null, protocol: 'anthropic', body: null, result: result({ probe: 'p' }) });
    log.close();
    expect(lines(path)[0]).toMatchObject({ time: '2020-01-01T00:00:00.000Z', target: 'other', probe: null, protocol: 'anthropic' });
    expect(lines(path)[0]).not.toHaveProperty('body');
  });

  it('writes a registered secret planted in the body or the result as [REDACTED]', () => {
    const secret = 'sk-SENTINEL-redact-me-8c1f0e2a9b7d';
    registerSecret(secret);
    const path = freshPath();
    const log = RequestLog.open(path, { logBodies: true });
    log.write({
      t: 5,
      body: openaiAdapter.buildBody(spec(`my key is ${secret}, keep it`)),
      result: result({ errorMessage: `echoed ${secret}`, requestIds: { [secret]: secret } }),
    });
    log.close();
    const raw = readFileSync(path, 'utf8');
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain('SENTINEL');
    const [line] = lines(path);
    const body = line!['body'] as { messages: { content: string }[] };
    expect(body.messages[0]!.content).toBe('my key is [REDACTED], keep it');
    expect((line!['result'] as { errorMessage: string }).errorMessage).toBe('echoed [REDACTED]');
  });

  it('leaves bodies out with logBodies false (--no-log-bodies)', () => {
    const path = freshPath();
    const log = RequestLog.open(path, { logBodies: false });
    log.write({ t: 0, body: openaiAdapter.buildBody(spec('PLANTED-PROMPT secret plans')), result: result() });
    log.close();
    expect(readFileSync(path, 'utf8')).not.toContain('PLANTED-PROMPT');
    expect(lines(path)[0]).not.toHaveProperty('body');
  });

  it('every open writes the file afresh: an earlier run\'s lines never mix in', () => {
    const path = freshPath();
    for (let i = 0; i < 2; i++) {
      const log = RequestLog.open(path, { logBodies: false });
      log.write({ t: i, body: null, result: result() });
      log.close();
    }
    expect(lines(path).map((l) => l['t'])).toEqual([1]);
  });

  it('a write that fails (a full disk) is one line and exit 2, not the threshold code 1', () => {
    const log = RequestLog.open('/dev/full', { logBodies: false });
    let caught: unknown;
    try {
      log.write({ t: 0, body: null, result: result() });
    } catch (err) {
      caught = err;
    }
    log.close();
    expect(caught).toBeInstanceOf(RelaymonError);
    expect((caught as RelaymonError).exitCode).toBe(2);
    expect((caught as RelaymonError).message).toBe('could not write --log /dev/full: no space left on device (ENOSPC)');
  });

  it('close is idempotent and a write after close is an error', () => {
    const log = RequestLog.open(freshPath(), { logBodies: false });
    log.close();
    log.close();
    expect(() => log.write({ t: 0, body: null, result: result() })).toThrow(/closed/);
  });

  it('a bad path is a UsageError (exit 2) naming the path', () => {
    const missing = join(dir, 'no-such-dir', 'log.jsonl');
    let err: unknown;
    try {
      RequestLog.open(missing, { logBodies: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as UsageError).message).toBe(`cannot open request log ${missing}: no such file or directory`);
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expect(() => RequestLog.open(sub, { logBodies: true })).toThrow(`cannot open request log ${sub}: it is a directory`);
  });
});

describe('a request log replays', () => {
  it('is read back as relaymon-log with targets, protocols, bodies and offsets', async () => {
    const path = freshPath();
    const log = RequestLog.open(path, { logBodies: true });
    const chat = openaiAdapter.buildBody(spec('first'));
    const msgs = anthropicAdapter.buildBody({ ...spec('second', 'claude-haiku-4-5'), maxTokens: 64, stream: false });
    log.write({ t: 100, body: chat, result: result({ target: 'relay' }) });
    log.write({ t: 350.5, body: msgs, result: result({ target: 'direct', protocol: 'anthropic', model: 'claude-haiku-4-5' }) });
    log.write({ t: 1200, body: chat, result: result({ target: 'relay', ok: false, errorType: 'timeout', timeoutPhase: 'total' }) });
    log.close();

    const file = await readReplayFile(path);
    expect(file.format).toBe('relaymon-log');
    expect(file.bad).toEqual([]);
    expect(file.items.map((i) => [i.line, i.target, i.protocol, i.offsetMs])).toEqual([
      [1, 'relay', 'openai', 0],
      [2, 'direct', 'anthropic', 250.5],
      [3, 'relay', 'openai', 1100],
    ]);
    expect(file.items[0]!.spec).toMatchObject({ model: 'gpt-4o-mini', maxTokens: 16, stream: true, body: chat });
    expect(file.items[1]!.spec).toMatchObject({ model: 'claude-haiku-4-5', maxTokens: 64, stream: false, body: msgs });
    expect(file.items[1]!.spec.messages).toEqual([{ role: 'user', content: 'second' }]);
  });

  it('a log without bodies cannot be replayed, and says why', async () => {
    const path = freshPath();
    const log = RequestLog.open(path, { logBodies: false });
    log.write({ t: 0, body: openaiAdapter.buildBody(spec('x')), result: result() });
    log.close();
    await expect(readReplayFile(path)).rejects.toThrow(/line 1: no field "body": the log was written with --no-log-bodies/);
  });

  it('a torn last line (a hard kill mid-write) is one bad line; the rest replays', async () => {
    const path = freshPath();
    const log = RequestLog.open(path, { logBodies: true });
    log.write({ t: 0, body: openaiAdapter.buildBody(spec('whole')), result: result() });
    log.close();
    const { appendFileSync } = await import('node:fs');
    appendFileSync(path, '{"v":1,"t":5,"time":"2025-03-01T12:00:00.250Z","target":"relay","body":{"model":"gpt-4o-mi');
    const file = await readReplayFile(path);
    expect(file.items).toHaveLength(1);
    expect(file.bad).toEqual([{ line: 2, reason: 'invalid JSON' }]);
  });
});
