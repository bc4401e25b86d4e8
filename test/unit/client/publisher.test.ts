/**
 * ResultPublisher (client/counting.ts): results are built in the order their
 * responses ended, whether their counts need a job or are known already; a
 * result with nothing ahead of it and its counts known is built at once.
 * The order shows in fingerprint tracking, which sees results as they are built.
 */
import { describe, expect, it } from 'vitest';
import { ResultPublisher } from '../../../src/client/counting.js';
import { ResponseAccumulator } from '../../../src/client/accumulate.js';
import type { Outcome, ResponseFacts } from '../../../src/client/result-builder.js';
import { FingerprintTracker } from '../../../src/honesty/fingerprint.js';
import { PriceTable } from '../../../src/pricing/table.js';
import type { RequestSpec } from '../../../src/protocol/adapter.js';
import { target } from '../../helpers/target.js';

const prices = PriceTable.builtIn();
const T = target('m', 'http://127.0.0.1:9/v1');
const REFUSED: Outcome = { kind: 'error', errorType: 'connection_refused', timeoutPhase: null, message: 'refused' };
const OK: Outcome = { kind: 'ok' };

function facts(spec: RequestSpec, fingerprint: string, content: string, fingerprints: FingerprintTracker): ResponseFacts {
  const acc = new ResponseAccumulator();
  acc.apply([{ kind: 'meta', systemFingerprint: fingerprint }], 1);
  if (content) acc.apply([{ kind: 'token', channel: 'content', text: content }, { kind: 'done' }], 2);
  return {
    target: T,
    spec,
    probe: null,
    startedAt: 0,
    scheduledAt: 0,
    sentAt: 0,
    headersAt: 1,
    endAt: 2,
    status: content ? 200 : null,
    headers: {},
    bytes: 0,
    sse: false,
    timing: { newConnection: false, connectMs: null, sendAt: 0, reads: null },
    acc,
    sentBody: { model: spec.model, messages: spec.messages },
    conformance: null,
    fingerprints,
  };
}

describe('ResultPublisher', () => {
  it('a result whose counts are known waits for an earlier one that is being counted', async () => {
    const fingerprints = new FingerprintTracker();
    const publisher = new ResultPublisher();
    // A spec never counted: its result needs a count job.
    const spec: RequestSpec = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'publisher order test' }], maxTokens: 4, stream: false };
    const order: string[] = [];
    const first = publisher.publish(facts(spec, 'fp_a', 'an answer', fingerprints), OK, prices).then((r) => (order.push('first'), r));
    // Refused, nothing delivered: no count needed, so known at once.
    const second = publisher.publish(facts(spec, 'fp_b', '', fingerprints), REFUSED, prices).then((r) => (order.push('second'), r));
    const [a, b] = await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(a.fingerprintChanged).toBe(false);
    expect(b.fingerprintChanged).toBe(true);
    expect(a.localOutputTokens).toBe(2);
  });

  it('a result with nothing ahead of it and its counts known is built before publish returns', async () => {
    const fingerprints = new FingerprintTracker();
    const publisher = new ResultPublisher();
    const spec: RequestSpec = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], maxTokens: 4, stream: false };
    const pending = publisher.publish(facts(spec, 'fp_a', '', fingerprints), REFUSED, prices);
    // Built already: the tracker has seen fp_a, so another fingerprint is a change.
    expect(fingerprints.observe('m', 'gpt-4o-mini', 'fp_z')).toBe(true);
    const r = await pending;
    expect(r.errorType).toBe('connection_refused');
    expect(r.fingerprintChanged).toBe(false);
  });
});
