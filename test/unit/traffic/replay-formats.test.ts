import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseReplayText, readReplayFile } from '../../../src/traffic/replay/index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const text = (name: string): string => readFileSync(fixture(name), 'utf8');

describe('OpenAI Batch API input', () => {
  it('reads custom_id, url → protocol, and the body, skipping the blank line', async () => {
    const file = await readReplayFile(fixture('batch.jsonl'));
    expect(file.format).toBe('openai-batch');
    expect(file.bad).toEqual([]);
    expect(file.items.map((i) => [i.line, i.customId, i.protocol])).toEqual([
      [1, 'req-1', 'openai'],
      [2, 'req-2', 'openai'],
      [4, 'req-3', 'anthropic'],
    ]);
    const [a, b, c] = file.items;
    expect(a!.spec).toMatchObject({ model: 'gpt-4o-mini', maxTokens: 32, stream: true });
    expect(a!.spec.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hello' },
    ]);
    expect(b!.spec).toMatchObject({ maxTokens: 64, stream: false });
    expect(c!.spec.body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi there' }] }],
    });
    expect(c!.spec.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi there' },
    ]);
    expect(file.items.every((i) => i.offsetMs === null)).toBe(true);
  });

  it('the streaming reader and the text parser agree', async () => {
    for (const name of ['batch.jsonl', 'chat.jsonl', 'messages.jsonl', 'broken.jsonl', 'bad-batch.jsonl']) {
      expect(await readReplayFile(fixture(name))).toEqual(parseReplayText(text(name), name));
    }
  });

  it('accepts full URLs and paths without /v1, and leaves an absent custom_id absent', () => {
    const body = '"body":{"model":"m","messages":[{"role":"user","content":"x"}]}';
    const file = parseReplayText(
      [`{"url":"https://api.openai.com/v1/chat/completions?x=1",${body}}`, `{"url":"/messages","method":"post",${body}}`].join('\n'),
      'mem',
    );
    expect(file.bad).toEqual([]);
    expect(file.items.map((i) => i.protocol)).toEqual(['openai', 'anthropic']);
    expect('customId' in file.items[0]!).toBe(false);
  });
});

describe('plain Chat Completions bodies', () => {
  it('reads bodies, defaults max tokens to 256 and stream to true, and times from ISO timestamps', async () => {
    const file = await readReplayFile(fixture('chat.jsonl'));
    expect(file.format).toBe('chat-jsonl');
    expect(file.bad).toEqual([]);
    expect(file.items.map((i) => i.offsetMs)).toEqual([0, 1500, 4000]);
    const [a, b] = file.items;
    expect(a!.spec).toMatchObject({ model: 'gpt-4o', maxTokens: 256, stream: true });
    expect(a!.protocol).toBe('openai'); // no max_tokens: Messages would reject it
    expect(b!.spec).toMatchObject({ maxTokens: 8, stream: false });
    // relaymon's timing field is not part of the body that is sent
    expect(a!.spec.body).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'What is 2+2?' }] });
  });

  it('a file whose bodies fit both protocols is chat-jsonl with protocol null', () => {
    const line = '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}';
    const file = parseReplayText(`${line}\n${line}\n`, 'mem');
    expect(file.format).toBe('chat-jsonl');
    expect(file.items.map((i) => i.protocol)).toEqual([null, null]);
  });
});

describe('plain Messages bodies', () => {
  it('is detected by Anthropic-only shape and times from offset_ms', async () => {
    const file = await readReplayFile(fixture('messages.jsonl'));
    expect(file.format).toBe('messages-jsonl');
    expect(file.bad).toEqual([]);
    expect(file.items.map((i) => [i.line, i.offsetMs, i.protocol])).toEqual([
      [1, 0, null], // fits both: the target decides
      [2, 250, 'anthropic'], // top-level system
      [3, 1000, 'anthropic'], // image block
    ]);
    expect(file.items[1]!.spec.messages).toEqual([
      { role: 'system', content: 'You answer in one word.' },
      { role: 'user', content: 'Capital of France?' },
    ]);
    expect(file.items[2]!.spec.body).not.toHaveProperty('offset_ms');
  });

  it('with no decisive line, max_tokens and content blocks name the file Messages; items still fit both', () => {
    const blocks = '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}';
    const plain = '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}';
    const file = parseReplayText(`${plain}\n${blocks}`, 'mem');
    expect(file.format).toBe('messages-jsonl');
    expect(file.items.map((i) => i.protocol)).toEqual([null, null]);
    expect(file.items[1]!.spec.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('ambiguous bodies before the first decisive line do not decide the format', () => {
    const ambiguous = '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}';
    const anthropic = '{"model":"m","max_tokens":5,"stop_sequences":["x"],"messages":[{"role":"user","content":"hi"}]}';
    expect(parseReplayText(`${ambiguous}\n${anthropic}`, 'mem').format).toBe('messages-jsonl');
  });
});

describe('timing', () => {
  const body = '"model":"m","messages":[{"role":"user","content":"x"}]';

  it('takes epoch seconds and epoch milliseconds, relative to the earliest line', () => {
    const secs = parseReplayText([`{${body},"timestamp":1700000002}`, `{${body},"timestamp":1700000000.5}`].join('\n'), 'mem');
    // In the order they were sent: the earlier timestamp first, whatever the file order (line numbers kept).
    expect(secs.items.map((i) => [i.line, i.offsetMs])).toEqual([[2, 0], [1, 1500]]);
    const ms = parseReplayText([`{${body},"timestamp":1700000000000}`, `{${body},"timestamp":"1700000000250"}`].join('\n'), 'mem');
    expect(ms.items.map((i) => i.offsetMs)).toEqual([0, 250]);
  });

  it('offset_ms is made relative to the first line, and lines without time get null', () => {
    const file = parseReplayText([`{${body},"offset_ms":100}`, `{${body}}`, `{${body},"offset_ms":350}`].join('\n'), 'mem');
    expect(file.items.map((i) => i.offsetMs)).toEqual([0, null, 250]);
  });

  it('reports a bad timestamp, a negative offset and mixed timing fields', () => {
    const file = parseReplayText(
      [
        `{${body},"timestamp":"2025-01-01T00:00:00Z"}`,
        `{${body},"timestamp":"yesterday-ish"}`,
        `{${body},"offset_ms":-5}`,
        `{${body},"offset_ms":20}`,
      ].join('\n'),
      'mem',
    );
    expect(file.items.map((i) => i.line)).toEqual([1]);
    expect(file.bad).toEqual([
      { line: 2, reason: 'field "timestamp": expected an ISO 8601 time or epoch seconds or milliseconds' },
      { line: 3, reason: 'field "offset_ms": expected a number of milliseconds, 0 or more' },
      { line: 4, reason: 'field "offset_ms": earlier lines time requests with "timestamp" (line 1); use one of them throughout' },
    ]);
  });

  it('handles CRLF line ends and a byte-order mark', () => {
    const file = parseReplayText(`\uFEFF{${body},"offset_ms":0}\r\n{${body},"offset_ms":10}\r\n`, 'mem');
    expect(file.bad).toEqual([]);
    expect(file.items.map((i) => i.offsetMs)).toEqual([0, 10]);
  });
});
