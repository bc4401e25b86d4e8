import type { Dispatcher } from 'undici';
import type { Spares } from './spares.js';

/** Thrown where undici is about to write the hand-over's request: it writes nothing. */
class HandedOver extends Error {
  constructor() {
    super('warm connection handed to the pool; no request is sent');
  }
}

/**
 * Gives the pool one of its warm connections before the run's first instant,
 * so that the first request finds a client on a connected socket as every
 * later one does.
 *
 * undici makes a pool's client, connects it and sets its parser up (the
 * connector call, llhttp's parser, its listeners) only for a request waiting
 * to be written: with only a parked socket (spares.ts), the first request of
 * a run still did all that on its own instant: 0.65 ms from dispatch to its
 * headers written on the project's 2-core machine, against 0.14 ms for a
 * request on a connected client (BENCHMARKS.md, "Send lateness: where the
 * tail came from").
 *
 * undici has no "connect now" for HTTP/1.1, so this dispatches a request
 * whose handler throws in onRequestStart: undici calls it on a connected
 * socket just before writing the request, takes the throw as the request's
 * error and writes nothing (dispatcher/client-h1.js writeH1: onConnect, then
 * `if (request.aborted) return false`), and the socket stays with the
 * client. The connector takes parked sockets only meanwhile, so the
 * hand-over never opens a connection of its own; `test/unit/client/hand-over.test.ts`
 * checks that the relay receives no byte and that the pinned undici still
 * behaves so.
 */
export async function handOver(dispatcher: Dispatcher, spares: Spares, origin: URL): Promise<void> {
  if (spares.parkedFor(origin) === 0) return;
  await spares.onlyParked(
    () =>
      new Promise<void>((resolve) => {
        const handler: Dispatcher.DispatchHandler = {
          onRequestStart() {
            throw new HandedOver();
          },
          onResponseError: () => resolve(),
          // Never reached: no request goes out. Settles anyway should an undici release write it.
          onResponseEnd: () => resolve(),
        };
        try {
          dispatcher.dispatch({ origin: origin.origin, path: '/', method: 'GET' }, handler);
        } catch {
          resolve();
        }
      }),
  );
}
