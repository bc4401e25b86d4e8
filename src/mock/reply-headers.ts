import type { OutgoingHttpHeaders } from 'node:http';
import type { MockProtocol } from './wire.js';

const RATE_LIMIT_PER_MINUTE = 10_000;

/**
 * Request ids and rate-limit headroom for each answer. The headroom counts
 * requests in the current wall-clock minute against a fixed limit, so a client
 * showing rate-limit headroom sees it move.
 */
export class ReplyHeaders {
  private counter = 0;
  private minute = -1;
  private used = 0;

  /** The prefix keeps ids unique across mock servers; it is not drawn from the seeded rng. */
  constructor(private readonly idPrefix: string) {}

  /** The sequence number of the last answer, for ids in the body. */
  get last(): string {
    return this.idPrefix + this.counter.toString(36);
  }

  next(protocol: MockProtocol, exhausted: boolean): OutgoingHttpHeaders {
    const requestId = `req_${this.idPrefix}${(++this.counter).toString(36)}`;
    const m = Math.floor(Date.now() / 60_000);
    if (m !== this.minute) {
      this.minute = m;
      this.used = 0;
    }
    this.used++;
    const remaining = exhausted ? 0 : Math.max(0, RATE_LIMIT_PER_MINUTE - this.used);
    if (protocol === 'anthropic') {
      return {
        'request-id': requestId,
        'x-request-id': requestId,
        'anthropic-ratelimit-requests-limit': RATE_LIMIT_PER_MINUTE,
        'anthropic-ratelimit-requests-remaining': remaining,
        'x-ratelimit-remaining-requests': remaining,
      };
    }
    return {
      'x-request-id': requestId,
      'x-ratelimit-limit-requests': RATE_LIMIT_PER_MINUTE,
      'x-ratelimit-remaining-requests': remaining,
    };
  }
}
