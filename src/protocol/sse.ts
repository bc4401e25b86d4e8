import { createParser } from 'eventsource-parser';
import type { SseEvent, StreamDecoder, WireEvent } from './adapter.js';

export interface SseFramer {
  /** Feed bytes exactly as they arrived; they may split lines, events or UTF-8 characters anywhere. */
  push(chunk: Uint8Array): void;
  /** The body ended. Idempotent; later pushes are ignored. */
  end(): void;
}

/**
 * Frames a byte stream into SSE events: eventsource-parser does the line and
 * field rules (LF, CRLF and CR line ends, `:` comments, multi-line `data:`,
 * `event:` names, unknown fields ignored), a streaming TextDecoder makes sure a
 * UTF-8 character split across chunks decodes whole (and drops a leading BOM).
 *
 * At end() we differ from eventsource-parser, which silently drops an event
 * that never got its closing blank line:
 * - if the body's last line was complete (ended with a line terminator), the
 *   pending event is dispatched. Relays that close right after
 *   `data: [DONE]\n` have finished properly and must not be called truncated;
 * - if the last line was cut off mid-way, the whole pending event is
 *   discarded: those bytes are a fragment of a connection that died, and the
 *   decoder must see no terminator so the client reports stream_truncated
 *   rather than mistaking half a JSON object for a bad response.
 *   The same holds for an event whose last line was whole but which is only
 *   the first lines of a multi-line `data:` event: it is dispatched marked
 *   `unterminated`, and decodeFramed() drops it when it does not decode.
 */
export function createSseFramer(onEvent: (ev: SseEvent) => void, onComment?: (text: string) => void): SseFramer {
  const decoder = new TextDecoder('utf-8');
  let flushing = false;
  const parser = createParser({
    onEvent(msg) {
      const ev: SseEvent = msg.event === undefined ? { data: msg.data } : { event: msg.event, data: msg.data };
      if (flushing) ev.unterminated = true;
      onEvent(ev);
    },
    ...(onComment ? { onComment } : {}),
    // Unknown fields and bad `retry:` values are ignored, as the SSE spec says.
    onError() {},
  });
  let lastChar = '';
  let ended = false;
  // A chunk ending in CR: whether LF follows (CRLF) is known only from the next chunk.
  let pendingCr = false;

  /**
   * CRLF and a lone CR become LF before the parser sees them (the same line
   * ends in SSE), holding a trailing CR until the next chunk. eventsource-parser
   * read a CR at the end of one chunk followed by a byte other than LF in the
   * next as no line end, so the same bytes meant different things depending on
   * where the network split them (test/property/stream-readers.test.ts found it).
   */
  function lineEnds(s: string): string {
    let text = pendingCr ? `\r${s}` : s;
    pendingCr = text.endsWith('\r');
    if (pendingCr) text = text.slice(0, -1);
    return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  }

  function feed(s: string): void {
    if (s.length === 0) return;
    lastChar = s[s.length - 1] ?? '';
    parser.feed(s);
  }

  return {
    push(chunk) {
      if (ended) return;
      feed(lineEnds(decoder.decode(chunk, { stream: true })));
    },
    end() {
      if (ended) return;
      ended = true;
      const rest = lineEnds(decoder.decode());
      // A CR that ended the body is a line end.
      feed(pendingCr ? `${rest}\n` : rest);
      pendingCr = false;
      if (lastChar === '\n') {
        // "\n\n" closes the pending event.
        // A blank line with no pending data dispatches nothing.
        flushing = true;
        parser.feed('\n\n');
        flushing = false;
      }
      parser.reset();
    },
  };
}

/**
 * What one framed event means. An event closed only by the end of the body
 * that does not decode (`invalid`) is the front of a multi-line event whose
 * connection died: nothing, so the stream reads as stream_truncated rather
 * than bad_response. Whole events, `data: [DONE]` among them, decode as usual.
 */
export function decodeFramed(decoder: StreamDecoder, ev: SseEvent): WireEvent[] {
  const events = decoder.onEvent(ev);
  return ev.unterminated && events.some((e) => e.kind === 'invalid') ? [] : events;
}
