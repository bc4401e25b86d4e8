import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type * as Fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RequestLog } from '../../../src/export/request-log.js';
import { result } from './result.js';

// Count and, on demand, shorten the log's write(2) calls.
const calls: { fd: number; length: number }[] = [];
let shortenNext = false;
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof Fs>();
  const writeSync = (fd: number, buf: Buffer, offset: number, length: number): number => {
    const len = shortenNext ? Math.floor(length / 2) : length;
    shortenNext = false;
    calls.push({ fd, length: len });
    return fs.writeSync(fd, buf, offset, len);
  };
  return { ...fs, writeSync };
});

const dir = mkdtempSync(join(tmpdir(), 'relaymon-log-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RequestLog writes', () => {
  it('hand each whole line to one write call', () => {
    const path = join(dir, 'one.jsonl');
    const log = RequestLog.open(path, { logBodies: true });
    calls.length = 0;
    const body = { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(20_000) }] };
    for (let i = 0; i < 5; i++) log.write({ t: i, body, result: result() });
    log.close();
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n').slice(0, -1);
    expect(calls.map((c) => c.length)).toEqual(lines.map((l) => Buffer.byteLength(l) + 1));
  });

  it('finish a line after a short write', () => {
    const path = join(dir, 'short.jsonl');
    const log = RequestLog.open(path, { logBodies: true });
    calls.length = 0;
    shortenNext = true;
    log.write({ t: 1, body: { model: 'm', messages: [] }, result: result() });
    log.close();
    expect(calls).toHaveLength(2);
    const text = readFileSync(path, 'utf8');
    expect(JSON.parse(text.trimEnd())).toMatchObject({ v: 1, t: 1 });
  });
});
