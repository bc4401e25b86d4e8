import { readFileSync, mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { parseReplayText, readReplayFile } from '../../../src/traffic/replay/index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'relaymon-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function caught(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof Error) return err;
  }
  throw new Error('expected an error');
}

describe('bad lines', () => {
  it('are reported by number and reason; blank lines are skipped silently', async () => {
    const file = await readReplayFile(fixture('broken.jsonl'));
    expect(file.format).toBe('chat-jsonl');
    expect(file.items.map((i) => i.line)).toEqual([1, 13]);
    expect(file.bad).toEqual([
      { line: 2, reason: 'invalid JSON' },
      { line: 3, reason: 'not a JSON object (got a list)' },
      { line: 4, reason: 'missing field "model"' },
      { line: 5, reason: 'missing field "messages"' },
      { line: 8, reason: 'an OpenAI Batch API line in a file of Chat Completions request bodies (format told by line 1)' },
      { line: 9, reason: 'a Messages request body in a file of Chat Completions request bodies (format told by line 1)' },
      { line: 10, reason: 'field "max_tokens": expected a whole number above 0' },
      { line: 11, reason: 'field "messages" is an empty list' },
      { line: 12, reason: 'empty object' },
    ]);
  });

  it('in a batch file: wrong url, wrong method, empty body, missing body.model, another format', async () => {
    const file = await readReplayFile(fixture('bad-batch.jsonl'));
    expect(file.format).toBe('openai-batch');
    expect(file.items.map((i) => i.customId)).toEqual(['ok-1']);
    expect(file.bad).toEqual([
      { line: 2, reason: 'field "url": expected /v1/chat/completions, /v1/messages or /v1/responses' },
      { line: 3, reason: 'field "method": expected POST' },
      { line: 4, reason: 'field "body" is empty' },
      { line: 5, reason: 'missing field "body.model"' },
      { line: 6, reason: 'a plain request body in a file of OpenAI Batch API input (format told by line 1)' },
    ]);
  });

  it('never quote the line: no planted prompt appears in any reason', async () => {
    for (const name of ['broken.jsonl', 'bad-batch.jsonl']) {
      const raw = readFileSync(fixture(name), 'utf8');
      expect(raw).toContain('PLANTED-PROMPT'); // the fixture does plant them
      const file = await readReplayFile(fixture(name));
      expect(file.bad.length).toBeGreaterThan(4);
      for (const b of file.bad) expect(b.reason).not.toMatch(/PLANTED|colour|embedding/);
    }
  });

  it('other field errors name the field', () => {
    const reasons = parseReplayText(
      [
        '{"model":"m","messages":[{"role":"user","content":"ok"}]}',
        '{"model":"","messages":[{"role":"user","content":"PLANTED"}]}',
        '{"model":"m","messages":"PLANTED"}',
        '{"model":"m","messages":["PLANTED"]}',
        '{"model":"m","messages":[{"role":"user","content":"PLANTED"}],"stream":"yes"}',
        '{"model":"m","messages":[{"role":"user","content":"PLANTED"}],"max_completion_tokens":1.5}',
        '"PLANTED"',
        '{"foo":"PLANTED"}',
      ].join('\n'),
      'mem',
    ).bad;
    expect(reasons).toEqual([
      { line: 2, reason: 'field "model": expected a non-empty string' },
      { line: 3, reason: 'field "messages": expected a list, got a string' },
      { line: 4, reason: 'field "messages[0]": expected an object with a "role"' },
      { line: 5, reason: 'field "stream": expected true or false' },
      { line: 6, reason: 'field "max_completion_tokens": expected a whole number above 0' },
      { line: 7, reason: 'not a JSON object (got a string)' },
      { line: 8, reason: 'not a request: no "model", "messages" or "input" field' },
    ]);
  });
});

describe('files that cannot be replayed', () => {
  it('no valid line is a UsageError naming the file, without the content', async () => {
    const path = join(dir, 'all-bad.jsonl');
    writeFileSync(path, 'PLANTED-PROMPT not json\n\n[1]\n{"model":"m"}\n{"x":1}\n');
    const err = await caught(() => readReplayFile(path));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain(path);
    expect(err.message).toContain('line 1: invalid JSON');
    expect(err.message).toContain('and 1 more');
    expect(err.message).not.toContain('PLANTED');
  });

  it('an empty file, a missing file and a directory are UsageErrors naming the path', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n  \n');
    expect((await caught(() => readReplayFile(empty))).message).toBe(`${empty}: no request lines (the file is empty)`);
    const missing = join(dir, 'nope.jsonl');
    const e1 = await caught(() => readReplayFile(missing));
    expect(e1).toBeInstanceOf(UsageError);
    expect(e1.message).toBe(`cannot read replay file ${missing}: no such file or directory`);
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    const e2 = await caught(() => readReplayFile(sub));
    expect(e2).toBeInstanceOf(UsageError);
    expect(e2.message).toBe(`cannot read replay file ${sub}: it is a directory`);
    expect(() => parseReplayText('', 'mem')).toThrow(UsageError);
  });

  it('reads a large file line by line', async () => {
    const path = join(dir, 'big.jsonl');
    const n = 20_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `q${i}` }], offset_ms: i * 10 }));
    writeFileSync(path, lines.join('\n') + '\n');
    const file = await readReplayFile(path);
    expect(file.items).toHaveLength(n);
    expect(file.items.at(-1)!.offsetMs).toBe((n - 1) * 10);
    expect(file.items.at(-1)!.line).toBe(n);
  });
});
