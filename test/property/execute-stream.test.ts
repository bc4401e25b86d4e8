/**
 * The same properties over the whole client path: executeRequest against a
 * real loopback server that writes the generated body in the generated
 * pieces (each flushed before the next), then ends, closes or resets the
 * connection. Fewer runs than the pure reader tests: each one is a request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Dispatcher } from 'undici';
import { executeRequest } from '../../src/client/execute.js';
import { createDispatcher } from '../../src/client/connections.js';
import { PriceTable } from '../../src/pricing/table.js';
import { ERROR_TYPES, PROTOCOLS, type Protocol, type RequestResult } from '../../src/core/result.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { SSE_HEADERS } from '../helpers/sse.js';
import { target } from '../helpers/target.js';
import { answerArb, cut, cutsArb, damage, damageArb, framingArb, keepArb, kept, wire } from './wire.js';

type Ending = 'end' | 'destroy' | 'reset';
interface Plan {
  chunks: Uint8Array[];
  ending: Ending;
}

const plans = new Map<string, Plan>();
let nextId = 0;
let server: HostileServer;
const dispatchers = new Map<Protocol, Dispatcher>();
const prices = PriceTable.builtIn();

// Generous against a loaded box (the server shares this event loop), yet a
// hung reader still shows up as a failed run long before the test's timeout.
const TIMEOUTS = { connectMs: 2000, firstTokenMs: 4000, idleMs: 4000, totalMs: 8000 };
const HANG_MS = 12_000;

beforeAll(async () => {
  server = await startHostile(async (req, res) => {
    const plan = plans.get(String(req.headers['x-plan']));
    if (!plan) {
      res.writeHead(500).end('no plan');
      return;
    }
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    for (const c of plan.chunks) {
      // Each piece is flushed to the socket (and a turn of the loop passes) before the next: separate reads on the client.
      await new Promise<void>((resolve) => res.write(c, () => setImmediate(resolve)));
    }
    if (plan.ending === 'end') res.end();
    else if (plan.ending === 'destroy') res.socket?.destroy();
    else res.socket?.resetAndDestroy();
  });
});

afterAll(async () => {
  await Promise.all([...dispatchers.values()].map((d) => d.close()));
  await server?.close();
});

function dispatcherFor(protocol: Protocol): Dispatcher {
  let d = dispatchers.get(protocol);
  if (!d) {
    d = createDispatcher(target(protocol, server.url, { timeouts: TIMEOUTS }));
    dispatchers.set(protocol, d);
  }
  return d;
}

async function send(protocol: Protocol, plan: Plan): Promise<RequestResult> {
  const id = String(nextId++);
  plans.set(id, plan);
  const t = target(protocol, server.url, { protocol, timeouts: TIMEOUTS, headers: { 'x-plan': id } });
  const spec = { model: protocol === 'anthropic' ? 'claude-sonnet-4-5' : 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }], maxTokens: 16, stream: true };
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`executeRequest did not settle within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    return await Promise.race([executeRequest(dispatcherFor(protocol), t, spec, prices), hang]);
  } finally {
    clearTimeout(timer);
    plans.delete(id);
  }
}

function expectClassified(r: RequestResult): void {
  if (r.ok) expect(r.errorType).toBeNull();
  else expect(ERROR_TYPES).toContain(r.errorType);
}

/** What must not depend on how the bytes were cut. */
function reading(r: RequestResult) {
  return {
    ok: r.ok,
    errorType: r.errorType,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cachedInputTokens: r.cachedInputTokens,
    usageSource: r.usageSource,
    chunks: r.chunks,
    localOutputTokens: r.localOutputTokens,
    responseModel: r.responseModel,
    requestId: r.requestId,
  };
}

describe.each(PROTOCOLS)('%s over loopback (executeRequest)', (protocol) => {
  it('a well-formed stream sent in random pieces gives the same result as sent whole', async () => {
    await fc.assert(
      fc.asyncProperty(answerArb(protocol), framingArb, cutsArb, async (answer, framing, cuts) => {
        const { bytes } = wire(answer, framing);
        const whole = await send(protocol, { chunks: [bytes], ending: 'end' });
        const split = await send(protocol, { chunks: cut(bytes, cuts), ending: 'end' });
        expect(whole.ok).toBe(true);
        expect(whole.outputTokens).toBe(answer.output);
        expect(whole.chunks).toBe(answer.content.length + answer.reasoning.length);
        expect(reading(split)).toEqual(reading(whole));
      }),
      { numRuns: 12 },
    );
  });

  it('damaged bodies, cut anywhere and ended, closed or reset: settles, classified', async () => {
    await fc.assert(
      fc.asyncProperty(
        answerArb(protocol),
        framingArb,
        fc.array(damageArb, { maxLength: 3 }),
        cutsArb,
        fc.constantFrom<Ending>('end', 'destroy', 'reset'),
        async (answer, framing, damages, cuts, ending) => {
          let bytes = wire(answer, framing).bytes;
          for (const d of damages) bytes = damage(bytes, d, protocol);
          const r = await send(protocol, { chunks: cut(bytes, cuts), ending });
          expectClassified(r);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a stream cut before its terminator line: stream_truncated when the body ends, never ok when the connection dies', async () => {
    await fc.assert(
      fc.asyncProperty(answerArb(protocol), framingArb, keepArb, cutsArb, fc.constantFrom<Ending>('end', 'destroy', 'reset'), async (answer, framing, keep, cuts, ending) => {
        const w = wire(answer, framing);
        const r = await send(protocol, { chunks: cut(w.bytes.subarray(0, kept(w, keep, w.terminatorLineEnd)), cuts), ending });
        expect(r.ok).toBe(false);
        expectClassified(r);
        // Multi-line data events cut between their lines are the readers' own property (stream-readers.test.ts).
        if (ending === 'end' && !framing.multiline) expect(r.errorType).toBe('stream_truncated');
      }),
      { numRuns: 15 },
    );
  });
});
