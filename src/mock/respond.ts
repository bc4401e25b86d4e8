import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ResponsePlan } from './plan.js';

/**
 * Timer slack: an event is due when we are within this many ms of it. Node's
 * timers run off libuv's millisecond clock and can fire up to ~1 ms early by
 * performance.now(), so a late-ish timer is topped up with setImmediate rather
 * than letting a token out before its time.
 */
const EPSILON_MS = 0.02;

/**
 * One in-flight answer's pending wake-up. The server keeps every live Job so
 * close() can clear its timer; a Job finishes when we end the answer or the
 * client goes away, whichever is first.
 */
export class Job {
  finished = false;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;

  constructor(private readonly live: Set<Job>) {
    live.add(this);
  }

  /** Run fn at `due` (a performance.now() time), never before it. */
  at(due: number, fn: () => void): void {
    if (this.finished) return;
    const run = (): void => {
      this.timer = null;
      this.immediate = null;
      if (this.finished) return;
      const remaining = due - performance.now();
      if (remaining <= EPSILON_MS) fn();
      else if (remaining >= 1) this.timer = setTimeout(run, remaining);
      else this.immediate = setImmediate(run);
    };
    run();
  }

  finish(): void {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.live.delete(this);
  }
}

/** The protocol's SSE text for each step of a streamed answer. */
export interface StreamWire {
  open(): string;
  token(i: number): string;
  /** Everything after the last token: finish reason, usage, terminator. */
  finish(sent: number): string;
  /** The in-band error after `sent` tokens (or, for a relay that swallows it, a normal-looking end). */
  streamError(sent: number): string;
}

/** RST rather than FIN, so the client sees ECONNRESET like a dropped upstream. */
function resetConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (socket && !socket.destroyed) socket.resetAndDestroy();
  else res.destroy();
}

/**
 * Writes the stream as the plan times it. `buffer` holds everything back and
 * sends headers and body in one go at the end, as a buffering relay does.
 */
export function streamResponse(
  res: ServerResponse,
  t0: number,
  plan: ResponsePlan,
  wire: StreamWire,
  headers: OutgoingHttpHeaders,
  job: Job,
  buffer = false,
): void {
  const n = plan.tokenAt.length;
  let i = 0;
  let held = '';
  const write = (text: string): void => {
    if (buffer) held += text;
    else if (text) res.write(text);
  };
  const end = (text: string): void => {
    if (buffer) {
      res.writeHead(200, headers);
      res.end(held + text);
    } else res.end(text);
  };
  const step = (): void => {
    const now = performance.now() - t0 + EPSILON_MS;
    let out = '';
    while (i < n && plan.tokenAt[i]! <= now) out += wire.token(i++);
    if (i === n && plan.endAt <= now) {
      job.finish();
      switch (plan.ending) {
        case 'finish':
          end(out + wire.finish(n));
          return;
        case 'truncate':
          // A clean chunked end with no terminator: the stream just stops.
          end(out);
          return;
        case 'stream_overloaded':
          end(out + wire.streamError(n));
          return;
        case 'reset':
          if (buffer) {
            // A buffering relay whose upstream broke sends nothing before the reset.
            resetConnection(res);
            return;
          }
          if (out) res.write(out);
          resetConnection(res);
          return;
      }
    }
    write(out);
    job.at(t0 + (i < n ? plan.tokenAt[i]! : plan.endAt), step);
  };
  job.at(t0 + plan.headerAt, () => {
    if (!buffer) res.writeHead(200, headers);
    write(wire.open());
    step();
  });
}

export interface BodyWire {
  body(sent: number): string;
  /** The error answer for an overloaded ending. */
  overloaded(): { status: number; headers: Record<string, string>; body: string };
}

export function bodyResponse(
  res: ServerResponse,
  t0: number,
  plan: ResponsePlan,
  wire: BodyWire,
  headers: OutgoingHttpHeaders,
  job: Job,
): void {
  job.at(t0 + plan.endAt, () => {
    job.finish();
    const sent = plan.tokenAt.length;
    switch (plan.ending) {
      case 'finish': {
        const body = wire.body(sent);
        res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      case 'truncate': {
        // No content-length, so the cut is a clean end of a body that is not valid JSON.
        const body = wire.body(sent);
        res.writeHead(200, { ...headers, 'content-type': 'application/json' });
        res.end(body.slice(0, Math.floor(body.length / 2)));
        return;
      }
      case 'stream_overloaded': {
        const e = wire.overloaded();
        res.writeHead(e.status, { ...headers, ...e.headers });
        res.end(e.body);
        return;
      }
      case 'reset':
        resetConnection(res);
        return;
    }
  });
}

/** A whole answer at a given time (error statuses, HTML pages). */
export function sendAt(
  res: ServerResponse,
  due: number,
  status: number,
  headers: OutgoingHttpHeaders,
  body: string,
  job: Job,
): void {
  job.at(due, () => {
    job.finish();
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}
