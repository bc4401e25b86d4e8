import { UsageError } from './errors.js';

/**
 * undici parses HTTP with llhttp, a WebAssembly module. Node started with
 * `--jitless` (often through NODE_OPTIONS) has no WebAssembly, and every
 * request then failed inside undici with "WebAssembly is not defined",
 * classed connection_reset: a relay blamed for the client's own Node. Asked
 * before anything is sent, in the thread that starts the sending.
 */
export function assertCanSend(): void {
  if (!('WebAssembly' in globalThis)) {
    throw new UsageError(
      'this Node.js has no WebAssembly (it was started with --jitless: check NODE_OPTIONS), and the HTTP client relaymon sends with (undici) parses answers in WebAssembly; run relaymon without --jitless',
    );
  }
}
