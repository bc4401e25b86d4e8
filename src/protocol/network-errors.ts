import type { ErrorType, TimeoutPhase } from '../core/result.js';
import { isRecord, oneLine } from './util.js';

export interface NetworkErrorClass {
  errorType: ErrorType;
  timeoutPhase: TimeoutPhase | null;
  message: string;
}

const MESSAGE_MAX = 200;
/** Cause chains are short; a cycle or a pathological chain must not hang us. */
const MAX_NODES = 16;

interface Rule {
  errorType: ErrorType;
  timeoutPhase: TimeoutPhase | null;
  /** A generic rule (a reset) yields to a more specific one found deeper in the chain. */
  generic?: boolean;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'EPROTO',
]);

function ruleForCode(code: string): Rule | null {
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { errorType: 'timeout', timeoutPhase: 'connect' };
    case 'UND_ERR_HEADERS_TIMEOUT':
      return { errorType: 'timeout', timeoutPhase: 'first_token' };
    case 'UND_ERR_BODY_TIMEOUT':
      return { errorType: 'timeout', timeoutPhase: 'idle' };
    case 'ECONNREFUSED':
    // Nothing listens or nothing routes there: to the user it is the same "cannot connect".
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { errorType: 'connection_refused', timeoutPhase: null };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return { errorType: 'dns', timeoutPhase: null };
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
    case 'UND_ERR_DESTROYED':
    case 'UND_ERR_CLOSED':
      return { errorType: 'cancelled', timeoutPhase: null };
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return { errorType: 'response_too_large', timeoutPhase: null };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return { errorType: 'connection_reset', timeoutPhase: null, generic: true };
  }
  if (
    TLS_CODES.has(code) ||
    code.startsWith('CERT_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_OSSL_')
  ) {
    return { errorType: 'tls', timeoutPhase: null };
  }
  return null;
}

function ruleForName(name: string): Rule | null {
  if (name === 'AbortError') return { errorType: 'cancelled', timeoutPhase: null };
  // AbortSignal.timeout() aborts with a TimeoutError: the caller's overall deadline.
  if (name === 'TimeoutError') return { errorType: 'timeout', timeoutPhase: 'total' };
  return null;
}

interface Node {
  code: string | null;
  name: string;
  message: string;
  syscall: string | null;
}

/** err, its `.cause` chain, and the members of an AggregateError (happy-eyeballs connects). */
function chain(err: unknown): Node[] {
  const out: Node[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < MAX_NODES) {
    const e = queue.shift();
    if (e === undefined || e === null || seen.has(e)) continue;
    seen.add(e);
    if (!isRecord(e)) {
      out.push({ code: null, name: '', message: String(e), syscall: null });
      continue;
    }
    const code = typeof e['code'] === 'string' ? e['code'] : null;
    const name = typeof e['name'] === 'string' ? e['name'] : '';
    const message = typeof e['message'] === 'string' ? e['message'] : '';
    const syscall = typeof e['syscall'] === 'string' ? e['syscall'] : null;
    out.push({ code, name, message, syscall });
    if (e['cause'] !== undefined) queue.push(e['cause']);
    if (Array.isArray(e['errors'])) queue.push(...(e['errors'] as unknown[]));
  }
  return out;
}

function ruleFor(node: Node): Rule | null {
  if (node.code === 'ETIMEDOUT') {
    // The kernel gave up: on connect it is a connect timeout, on an open socket the connection died.
    return node.syscall === 'connect' || /^connect\b/.test(node.message)
      ? { errorType: 'timeout', timeoutPhase: 'connect' }
      : { errorType: 'connection_reset', timeoutPhase: null, generic: true };
  }
  const byCode = node.code !== null ? ruleForCode(node.code) : null;
  if (byCode) return byCode;
  const byName = ruleForName(node.name);
  if (byName) return byName;
  if (/other side closed|socket hang up/i.test(node.message)) {
    return { errorType: 'connection_reset', timeoutPhase: null, generic: true };
  }
  return null;
}

/**
 * undici refusing an argument relaymon gave it (a dispatcher option, a request
 * option): its InvalidArgumentError, or InvalidArgumentError-like errors it
 * throws before anything reaches the network. relaymon's own bug, not the relay's.
 */
const OWN_ARGUMENT_CODES: ReadonlySet<string> = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE']);

/** Thrown instead of a classification: an error of relaymon's own arguments must never count against the relay. */
export class OwnArgumentError extends Error {
  constructor(cause: unknown, message: string) {
    super(`relaymon passed an invalid argument to its HTTP client (a relaymon bug, not the relay's): ${message}`, { cause });
    this.name = 'OwnArgumentError';
  }
}

/**
 * Names what went wrong below HTTP, walking the error, its `.cause` chain and
 * its `.code`s (undici wraps the system error). The first specific match wins;
 * a reset only counts when nothing more specific is found, because a TLS or DNS
 * failure often surfaces as a closed socket on the outside. Unknown errors count
 * as resets: the connection failed and we cannot say more. An error of
 * relaymon's own arguments (undici's InvalidArgumentError) is thrown as an
 * OwnArgumentError: it is no measurement of the relay.
 */
export function classifyNetworkError(err: unknown): NetworkErrorClass {
  const nodes = chain(err);
  // Only the outermost error: a socket error deeper in a chain is the network's whatever wraps it.
  const top = nodes[0];
  if (top && ((top.code !== null && OWN_ARGUMENT_CODES.has(top.code)) || top.name === 'InvalidArgumentError')) {
    throw new OwnArgumentError(err, oneLine(top.message, MESSAGE_MAX) || top.code || top.name);
  }
  let generic: { rule: Rule; node: Node } | null = null;
  for (const node of nodes) {
    const rule = ruleFor(node);
    if (!rule) continue;
    if (!rule.generic) return build(rule, node, nodes);
    generic ??= { rule, node };
  }
  if (generic) return build(generic.rule, generic.node, nodes);
  return { errorType: 'connection_reset', timeoutPhase: null, message: describe(nodes) || 'network error' };
}

function build(rule: Rule, node: Node, nodes: Node[]): NetworkErrorClass {
  let message = oneLine(node.message, MESSAGE_MAX);
  if (!message) message = describe(nodes);
  if (node.code !== null && !message.includes(node.code)) message = oneLine(`${message} (${node.code})`, MESSAGE_MAX);
  return { errorType: rule.errorType, timeoutPhase: rule.timeoutPhase, message: message || rule.errorType };
}

/** "fetch failed: connect ECONNREFUSED 127.0.0.1:9": each distinct message once, outermost first. */
function describe(nodes: Node[]): string {
  const parts: string[] = [];
  for (const n of nodes) {
    const m = n.message.trim();
    if (m && !parts.some((p) => p.includes(m))) parts.push(m);
  }
  return oneLine(parts.join(': '), MESSAGE_MAX);
}
