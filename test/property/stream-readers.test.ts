/**
 * Property tests of the stream readers of both protocols (framer, decoder and
 * accumulator as the client chains them): whatever bytes a relay sends, cut
 * wherever the network cuts them, the reader never throws, frames no more
 * events than the body has lines, and ends in a classified result; a
 * well-formed stream reads the same however it is split.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ERROR_TYPES, PROTOCOLS } from '../../src/core/result.js';
import { answerArb, cut, cutsArb, damage, damageArb, expected, framingArb, keepArb, kept, lineEnds, readStream, wire } from './wire.js';

// Enough runs to hit splits inside multi-byte characters and CRLF pairs many
// times over, few enough for a couple of seconds on a loaded 2-core box.
const RUNS = 150;
const CLASSIFIED: readonly string[] = ERROR_TYPES;

describe.each(PROTOCOLS)('%s stream reader', (protocol) => {
  it('a well-formed stream split anywhere reads the same tokens, text and usage as unsplit', () => {
    fc.assert(
      fc.property(answerArb(protocol), framingArb, cutsArb, (answer, framing, cuts) => {
        const { bytes } = wire(answer, framing);
        const whole = readStream(protocol, [bytes]);
        const split = readStream(protocol, cut(bytes, cuts));
        expect(whole.outcome).toEqual({ kind: 'ok' });
        expect({ content: whole.content, reasoning: whole.reasoning, usage: whole.usage, tokenEvents: whole.tokenEvents }).toEqual(expected(answer));
        expect(split).toEqual(whole);
      }),
      { numRuns: RUNS },
    );
  });

  it('byte by byte reads the same as unsplit (every UTF-8 character and CRLF pair cut)', () => {
    fc.assert(
      fc.property(answerArb(protocol), framingArb, (answer, framing) => {
        const { bytes } = wire(answer, framing);
        const bytewise = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
        expect(readStream(protocol, bytewise)).toEqual(readStream(protocol, [bytes]));
      }),
      { numRuns: 40 },
    );
  });

  it('a stream cut before its terminator line is complete is never ok; cut after that line, it is ok', () => {
    fc.assert(
      fc.property(answerArb(protocol), framingArb, keepArb, cutsArb, (answer, framing, keep, cuts) => {
        const w = wire(answer, framing);
        const n = kept(w, keep);
        const r = readStream(protocol, cut(w.bytes.subarray(0, n), cuts));
        if (n <= w.terminatorLineEnd) expect(r.outcome.kind).toBe('error');
        else expect(r.outcome).toEqual({ kind: 'ok' });
      }),
      { numRuns: RUNS },
    );
  });

  // The contract: a stream that ends without its terminator is stream_truncated,
  // wherever it was cut, also between the data lines of a multi-line event.
  it('a stream cut before its terminator line is complete is stream_truncated', () => {
    fc.assert(
      fc.property(answerArb(protocol), framingArb, keepArb, cutsArb, (answer, framing, keep, cuts) => {
        const w = wire(answer, framing);
        const n = kept(w, keep, w.terminatorLineEnd);
        expect(readStream(protocol, cut(w.bytes.subarray(0, n), cuts)).outcome).toEqual({ kind: 'error', errorType: 'stream_truncated' });
      }),
      { numRuns: RUNS },
    );
  });

  it('garbage, flipped bytes, truncations and huge lines: never throws, bounded events, always a classified result', () => {
    fc.assert(
      fc.property(answerArb(protocol), framingArb, fc.array(damageArb, { minLength: 1, maxLength: 3 }), cutsArb, (answer, framing, damages, cuts) => {
        let bytes = wire(answer, framing).bytes;
        for (const d of damages) bytes = damage(bytes, d, protocol);
        const r = readStream(protocol, cut(bytes, cuts));
        expect(r.events).toBeLessThanOrEqual(lineEnds(bytes) + 1);
        if (r.outcome.kind === 'error') expect(CLASSIFIED).toContain(r.outcome.errorType);
        // However it was split, the same bytes mean the same thing.
        expect(readStream(protocol, [bytes]).outcome).toEqual(r.outcome);
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes (not SSE at all): never throws, always a classified result', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), cutsArb, (bytes, cuts) => {
        const r = readStream(protocol, cut(bytes, cuts));
        expect(r.events).toBeLessThanOrEqual(lineEnds(bytes) + 1);
        expect(r.outcome.kind === 'ok' || CLASSIFIED.includes(r.outcome.errorType)).toBe(true);
        expect(readStream(protocol, [bytes]).outcome).toEqual(r.outcome);
      }),
      { numRuns: RUNS },
    );
  });

  it('SSE-shaped noise (random fields, comments, CR/LF/CRLF, JSON fragments): never throws, always classified', () => {
    const line = fc.oneof(
      fc.constantFrom('data: [DONE]', 'data: {}', 'data: {"choices":null}', 'data: {"type":"message_stop"}', 'event: error', 'event: ping', ':', 'retry: x', 'id: 1', 'data:', ''),
      fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `data: ${s}`),
      fc.json({ maxDepth: 3 }).map((j) => `data: ${j}`),
      fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => `: ${s}`),
    );
    const eol = fc.constantFrom('\n', '\r\n', '\r');
    fc.assert(
      fc.property(fc.array(fc.tuple(line, eol), { maxLength: 40 }), cutsArb, (lines, cuts) => {
        const bytes = new TextEncoder().encode(lines.map(([l, e]) => l + e).join(''));
        const r = readStream(protocol, cut(bytes, cuts));
        expect(r.events).toBeLessThanOrEqual(lineEnds(bytes) + 1);
        expect(r.outcome.kind === 'ok' || CLASSIFIED.includes(r.outcome.errorType)).toBe(true);
        expect(readStream(protocol, [bytes]).outcome).toEqual(r.outcome);
      }),
      { numRuns: RUNS },
    );
  });
});
