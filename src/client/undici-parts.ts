/**
 * The parts of undici the client uses, loaded from their own files rather
 * than from undici's index. The index loads all of undici — fetch, WebSocket,
 * EventSource, the cache, cookies, HTTP/2, mock agents — and, through them,
 * node:http2, node:tls and more: ~8 MB of resident memory and tens of ms of
 * a one-shot probe's start-up spent on code no run calls (bench/startup.mjs).
 * These are the very classes the index exports (`test/unit/client/undici-parts.test.ts`
 * checks identity against it, so an undici release that moves a file fails
 * there, not in a user's run); undici ships no `exports` map, so the paths
 * are reachable, and package.json pins undici's version exactly for it.
 */
import { createRequire, Module } from 'node:module';
import type * as Undici from 'undici';

const requireCjs = createRequire(import.meta.url);

/** undici's HTTP/2 half, which its client.js requires when it loads. */
export const CLIENT_H2 = 'undici/lib/dispatcher/client-h2.js';

/**
 * client.js requires client-h2.js when it loads, and that file requires
 * node:http2, which loads node:tls, node:dns and more: ~10 ms of a one-shot
 * probe (bench/startup.mjs) for a protocol relaymon's dispatchers never
 * negotiate (none sets allowH2, so client.js never calls it). A stand-in
 * goes into require's cache first (Node documents adding entries to
 * require.cache); it loads the real file on its first call, should one come
 * (a proxy's dispatcher from undici's index, an HTTP/2 relay one day).
 * Nothing is saved when undici's index was loaded first: the real one is
 * cached then, and kept.
 */
function deferHttp2(): void {
  const file = requireCjs.resolve(CLIENT_H2);
  if (requireCjs.cache[file] !== undefined) return;
  let real: ((...args: unknown[]) => unknown) | null = null;
  const standIn = new Module(file);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = function connectH2(...args: unknown[]): unknown {
    if (real === null) {
      if (requireCjs.cache[file] === standIn) delete requireCjs.cache[file];
      real = requireCjs(file) as (...args: unknown[]) => unknown;
    }
    return real(...args);
  };
  requireCjs.cache[file] = standIn;
}

deferHttp2();

export const Pool = requireCjs('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;
export const Client = requireCjs('undici/lib/dispatcher/client.js') as typeof Undici.Client;
export const Agent = requireCjs('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export const buildConnector = requireCjs('undici/lib/core/connect.js') as typeof Undici.buildConnector;

/**
 * Through a proxy, the whole of undici: its ProxyAgent tunnels with the
 * dispatchers' `connect()`, one of the API methods undici's index adds to
 * every Dispatcher (the parts above have only `dispatch()`, all relaymon's
 * own requests use). Proxies are rare; their runs pay the index's load.
 */
export function envHttpProxyAgent(): typeof Undici.EnvHttpProxyAgent {
  return undiciIndex().EnvHttpProxyAgent;
}

/** undici whole, for its API functions (`request()`): `relaymon models`' one GET, proxies. */
export function undiciIndex(): typeof Undici {
  return requireCjs('undici') as typeof Undici;
}
