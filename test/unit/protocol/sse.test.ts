import { describe, expect, it } from 'vitest';
import { createSseFramer, decodeFramed } from '../../../src/protocol/sse.js';
import { openaiAdapter } from '../../../src/protocol/openai.js';
import type { WireEvent } from '../../../src/protocol/adapter.js';
import { bytesOf, chunkings, cutAt, frame } from './feed.js';

describe('createSseFramer', () => {
  it('frames data events with and without event names', () => {
    const text = 'data: one\n\nevent: ping\ndata: {"type":"ping"}\n\ndata:no-space\n\n';
    for (const { name, chunks } of chunkings(text)) {
      expect(frame(chunks).events, name).toEqual([
        { data: 'one' },
        { event: 'ping', data: '{"type":"ping"}' },
        { data: 'no-space' },
      ]);
    }
  });

  it('does not put an event key on unnamed events', () => {
    const { events } = frame([bytesOf('data: x\n\n')]);
    expect(Object.keys(events[0] ?? {})).toEqual(['data']);
  });

  it('handles CRLF line ends, split anywhere (also between CR and LF)', () => {
    const text = 'event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n';
    for (const { name, chunks } of chunkings(text)) {
      expect(frame(chunks).events, name).toEqual([{ event: 'a', data: '1' }, { data: '2' }]);
    }
  });

  it('handles bare CR line ends', () => {
    const text = 'data: 1\r\rdata: 2\r\r';
    for (const { name, chunks } of chunkings(text)) {
      // The body's last CR is the blank line that closes event 2: a whole event, however the body was split.
      expect(frame(chunks).events, name).toEqual([{ data: '1' }, { data: '2' }]);
    }
  });

  it('a CR that ends one chunk is a line end whatever byte starts the next (the same bytes mean the same, split anywhere)', () => {
    const text = 'data: 1\r\ndata: 2\r\n\r\u0000';
    for (const { name, chunks } of chunkings(text)) {
      expect(frame(chunks).events, name).toEqual([{ data: '1\n2' }]);
    }
    expect(frame(['data: 1\r', '\r', 'data: 2\r', '\n\r', '\n'].map(bytesOf)).events).toEqual([{ data: '1' }, { data: '2' }]);
  });

  it('joins multi-line data fields with \\n', () => {
    const text = 'data: {"a":\ndata: 1}\n\n';
    for (const { name, chunks } of chunkings(text)) {
      expect(frame(chunks).events, name).toEqual([{ data: '{"a":\n1}' }]);
    }
  });

  it('reports comments (keep-alives) separately and never as events', () => {
    const text = ': keep-alive\n\n:OPENROUTER PROCESSING\n\ndata: x\n\n: ping\n\n';
    for (const { name, chunks } of chunkings(text)) {
      const f = frame(chunks);
      expect(f.events, name).toEqual([{ data: 'x' }]);
      expect(f.comments, name).toEqual(['keep-alive', 'OPENROUTER PROCESSING', 'ping']);
    }
  });

  it('works without a comment callback', () => {
    const events: string[] = [];
    const framer = createSseFramer((ev) => events.push(ev.data));
    framer.push(bytesOf(': keep-alive\n\ndata: y\n\n'));
    framer.end();
    expect(events).toEqual(['y']);
  });

  it('ignores unknown fields, id and retry lines', () => {
    const text = 'id: 7\nretry: 1000\nfoo: bar\nretry: soon\ndata: z\n\n';
    expect(frame([bytesOf(text)]).events).toEqual([{ data: 'z' }]);
  });

  it('ignores a blank line with no data and an event name with no data', () => {
    const text = '\n\nevent: lonely\n\ndata: ok\n\n';
    expect(frame([bytesOf(text)]).events).toEqual([{ data: 'ok' }]);
  });

  it('decodes multi-byte UTF-8 characters split across chunks', () => {
    const content = 'Tiếng Việt có dấu, 中文字符, 日本語, emoji 🚀👩‍💻🇻🇳, ñ';
    const text = `data: ${content}\n\ndata: ${content}\n\n`;
    const bytes = bytesOf(text);
    // Cut inside the 4-byte rocket: find its first byte and cut 1, 2 and 3 bytes in.
    const rocket = bytes.indexOf(0xf0);
    expect(rocket).toBeGreaterThan(0);
    for (const k of [1, 2, 3]) {
      expect(frame(cutAt(bytes, [rocket + k])).events.map((e) => e.data)).toEqual([content, content]);
    }
    for (const { name, chunks } of chunkings(text, 60)) {
      expect(
        frame(chunks).events.map((e) => e.data),
        name,
      ).toEqual([content, content]);
    }
  });

  it('drops a leading byte-order mark, even when split', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...bytesOf('data: bom\n\n')]);
    expect(frame(cutAt(bytes, [1, 2])).events).toEqual([{ data: 'bom' }]);
  });

  describe('end of body', () => {
    it('dispatches a last event whose lines are complete but which has no blank line after it', () => {
      for (const tail of ['\n', '\r\n', '\r']) {
        const text = `data: first\n\ndata: [DONE]${tail}`;
        for (const { name, chunks } of chunkings(text, 5)) {
          expect(frame(chunks).events, `${JSON.stringify(tail)} ${name}`).toEqual([{ data: 'first' }, { data: '[DONE]', unterminated: true }]);
        }
      }
    });

    it('dispatches a complete multi-line event at end exactly once', () => {
      const text = 'event: message_stop\ndata: {"type":\ndata: "message_stop"}\n';
      expect(frame([bytesOf(text)]).events).toEqual([{ event: 'message_stop', data: '{"type":\n"message_stop"}', unterminated: true }]);
    });

    it('an event closed by the end of the body that does not decode is a fragment: the stream is truncated, not bad', () => {
      // The connection died between the lines of a multi-line data event; each line it delivered was whole.
      const text = 'data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: {\n';
      const decoder = openaiAdapter.newStreamDecoder();
      const out: WireEvent[] = [];
      const framer = createSseFramer((ev) => out.push(...decodeFramed(decoder, ev)));
      framer.push(bytesOf(text));
      framer.end();
      expect(out.some((e) => e.kind === 'invalid')).toBe(false);
      expect(out.some((e) => e.kind === 'done')).toBe(false);
      // Without decodeFramed the same fragment reads as invalid data (bad_response).
      const raw: WireEvent[] = [];
      const plain = openaiAdapter.newStreamDecoder();
      const f2 = createSseFramer((ev) => raw.push(...plain.onEvent(ev)));
      f2.push(bytesOf(text));
      f2.end();
      expect(raw.some((e) => e.kind === 'invalid')).toBe(true);
    });

    it('discards an event whose last line was cut off (the connection died mid-line)', () => {
      const text = 'data: {"a":1}\n\ndata: {"choices":[{"delta":{"content":"hal';
      expect(frame([bytesOf(text)]).events).toEqual([{ data: '{"a":1}' }]);
      const cut = 'data: ok\n\ndata: line one\ndata: line t';
      expect(frame([bytesOf(cut)]).events).toEqual([{ data: 'ok' }]);
    });

    it('discards a final line cut inside a multi-byte character', () => {
      const bytes = bytesOf('data: a\n\ndata: 中');
      expect(frame([bytes.subarray(0, bytes.length - 1)]).events).toEqual([{ data: 'a' }]);
    });

    it('emits nothing before end() for an unterminated event', () => {
      const events: string[] = [];
      const framer = createSseFramer((ev) => events.push(ev.data));
      framer.push(bytesOf('data: pending\n'));
      expect(events).toEqual([]);
      framer.end();
      expect(events).toEqual(['pending']);
    });

    it('is idempotent and ignores pushes after end()', () => {
      const events: string[] = [];
      const framer = createSseFramer((ev) => events.push(ev.data));
      framer.push(bytesOf('data: a\n'));
      framer.end();
      framer.end();
      framer.push(bytesOf('data: b\n\n'));
      framer.end();
      expect(events).toEqual(['a']);
    });

    it('handles an empty body', () => {
      expect(frame([]).events).toEqual([]);
      expect(frame([new Uint8Array(0)]).events).toEqual([]);
    });
  });
});
