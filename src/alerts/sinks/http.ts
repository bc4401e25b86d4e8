/**
 * One JSON POST with a deadline. Failures are described without the URL (a
 * webhook URL is a secret): "HTTP 500", "connection refused", "timed out".
 */
import { createRequire } from 'node:module';
import type { Dispatcher } from 'undici';
import { undiciTimeoutMs } from '../../core/units.js';
import { classifyNetworkError } from '../../protocol/network-errors.js';

/**
 * undici is loaded on the first notification sink, not with this module: every
 * run imports the notifier, few configure a webhook or Alertmanager, and in
 * the main thread (the engine worker has its own copy) undici holds ~5 MB of
 * heap and ~19 MB of RSS for nothing. Its CommonJS entry is what `import`
 * resolves to as well, so both ways share one instance.
 */
const undici = (): typeof import('undici') => createRequire(import.meta.url)('undici') as typeof import('undici');

export type PostOutcome = { ok: true } | { ok: false; retry: boolean; reason: string };

/** Honours HTTP(S)_PROXY / NO_PROXY from the environment relaymon was given, like the client does. */
export function createNotifyDispatcher(env: NodeJS.ProcessEnv, connectTimeoutMs: number): Dispatcher {
  return new (undici().EnvHttpProxyAgent)({
    httpProxy: env['http_proxy'] ?? env['HTTP_PROXY'] ?? '',
    httpsProxy: env['https_proxy'] ?? env['HTTPS_PROXY'] ?? '',
    noProxy: env['no_proxy'] ?? env['NO_PROXY'] ?? '',
    connect: { timeout: undiciTimeoutMs(connectTimeoutMs) },
    keepAliveTimeout: 10_000,
  });
}

const NETWORK_REASONS: Record<string, string> = {
  connection_refused: 'connection refused',
  dns: 'host not found',
  tls: 'TLS error',
  connection_reset: 'connection reset',
  timeout: 'timed out',
  cancelled: 'cancelled',
};

export interface PostTarget {
  url: URL;
  headers: Record<string, string>;
}

export async function postJson(
  target: PostTarget,
  body: unknown,
  dispatcher: Dispatcher,
  timeoutMs: number,
  cancel: AbortSignal,
): Promise<PostOutcome> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  timer.unref();
  const signal = AbortSignal.any([deadline.signal, cancel]);
  try {
    const res = await undici().request(target.url, {
      method: 'POST',
      dispatcher,
      signal,
      headers: { 'content-type': 'application/json', 'user-agent': 'relaymon', ...target.headers },
      body: JSON.stringify(body),
    });
    // Drain the body so the connection can be reused; what a receiver says is not needed.
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true };
    // 429 and 5xx may pass; any other answer (400, 404, a redirect) will not change on a retry.
    const retry = res.statusCode === 408 || res.statusCode === 429 || res.statusCode >= 500;
    return { ok: false, retry, reason: `HTTP ${res.statusCode}` };
  } catch (err) {
    if (cancel.aborted) return { ok: false, retry: false, reason: 'cancelled' };
    if (deadline.signal.aborted) return { ok: false, retry: true, reason: `timed out after ${timeoutMs}ms` };
    const { errorType } = classifyNetworkError(err);
    return { ok: false, retry: true, reason: NETWORK_REASONS[errorType] ?? 'network error' };
  } finally {
    clearTimeout(timer);
  }
}
