/**
 * What a request sends that does not change from one request to the next:
 * the body built from a spec, the endpoint URL and the headers of a target.
 * A probe or a replay line sends the same spec object over and over (the
 * prompt count is cached by spec identity too, client/honesty.ts), and
 * building, stringifying and parsing these per request was a measurable part
 * of the client's cost per request (bench/client-loop.mjs profile,
 * bench/cpuprofile-summary.mjs). Specs and targets are values: nothing
 * mutates them after they are made, which is what makes caching by identity
 * safe.
 */
import type { Protocol } from '../core/result.js';
import type { ResolvedTarget } from '../core/target.js';
import type { ProtocolAdapter, RequestSpec } from '../protocol/adapter.js';
import { VERSION } from '../version.js';
import { endpointUrl } from './connections.js';

export interface BuiltBody {
  /** The body as sent, for counting the prompt; shared by every request of the spec, so read only. */
  readonly sentBody: Record<string, unknown>;
  readonly body: string;
}

/** By spec, then protocol: `compare` sends one spec to targets of different protocols. */
const bodies = new WeakMap<RequestSpec, Map<Protocol, BuiltBody>>();

export function builtBody(adapter: ProtocolAdapter, spec: RequestSpec): BuiltBody {
  let byProtocol = bodies.get(spec);
  if (!byProtocol) {
    byProtocol = new Map();
    bodies.set(spec, byProtocol);
  }
  let built = byProtocol.get(adapter.protocol);
  if (!built) {
    const sentBody = adapter.buildBody(spec);
    built = { sentBody, body: JSON.stringify(sentBody) };
    byProtocol.set(adapter.protocol, built);
  }
  return built;
}

export interface ChatUrl {
  origin: string;
  /** Path and query string. */
  path: string;
}

interface TargetCache {
  url: ChatUrl;
  /** Headers without per-call extras, by whether the request streams. */
  stream: Record<string, string> | null;
  whole: Record<string, string> | null;
}

const targets = new WeakMap<ResolvedTarget, TargetCache>();

function cacheOf(target: ResolvedTarget, adapter: ProtocolAdapter): TargetCache {
  let c = targets.get(target);
  if (!c) {
    const url = endpointUrl(target.baseUrl, adapter.chatPath);
    c = { url: { origin: url.origin, path: url.pathname + url.search }, stream: null, whole: null };
    targets.set(target, c);
  }
  return c;
}

/** The chat endpoint of a target (its protocol's path under baseUrl). */
export function chatUrl(target: ResolvedTarget, adapter: ProtocolAdapter): ChatUrl {
  return cacheOf(target, adapter).url;
}

/**
 * The request headers: the protocol's (auth included), the target's own, the
 * call's extras, then accept and user-agent. Always a fresh object: undici's
 * ProxyAgent adds `host` to the object it is given.
 */
export function requestHeaders(target: ResolvedTarget, adapter: ProtocolAdapter, stream: boolean, extra?: Record<string, string>): Record<string, string> {
  const build = (): Record<string, string> => ({
    ...adapter.headers(target.apiKey, target.apiKeyHeader),
    ...target.headers,
    ...extra,
    accept: stream ? 'text/event-stream' : 'application/json',
    'user-agent': `relaymon/${VERSION}`,
  });
  if (extra) return build();
  const c = cacheOf(target, adapter);
  return { ...(stream ? (c.stream ??= build()) : (c.whole ??= build())) };
}
