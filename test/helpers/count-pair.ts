import { MessageChannel } from 'node:worker_threads';
import { CountHost } from '../../src/tokens/count-host.js';
import { TokenCounter } from '../../src/tokens/counter.js';

/**
 * A count host serving one end of a channel and a counter sending on the other, as engine.ts wires them
 * across threads; `stops` gets what ends both (the caller's afterEach runs it).
 */
export function countPair(stops: (() => void)[], opts: { idleMs?: number; sliceMs?: number } = {}): { host: CountHost; counter: TokenCounter; stop: () => void } {
  const host = new CountHost(opts);
  const { port1, port2 } = new MessageChannel();
  const stop = host.serve(port1);
  const counter = new TokenCounter({ port: port2 });
  stops.push(() => {
    counter.release();
    stop();
  });
  return { host, counter, stop };
}
