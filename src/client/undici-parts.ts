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
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const requireCjs = createRequire(import.meta.url);

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
