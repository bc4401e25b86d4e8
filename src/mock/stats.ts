export const MOCK_ROUTES = ['chat', 'messages', 'responses', 'models', 'not_found'] as const;
export type MockRoute = (typeof MOCK_ROUTES)[number];

/** How a request was answered: 'ok', the fault applied, or why it was refused. */
export const MOCK_OUTCOMES = [
  'ok',
  'stall',
  'reset',
  'truncate',
  'slow_first_token',
  'html',
  'server_error',
  'rate_limited',
  'overloaded',
  'stream_overloaded',
  'status',
  'bad_request',
  'not_found',
] as const;
export type MockOutcome = (typeof MOCK_OUTCOMES)[number];

/**
 * Counts since the server started. `GET /__relaymon/stats` itself is not
 * counted, so tests can poll it without disturbing what they measure.
 */
export interface MockStats {
  requests: number;
  inFlight: number;
  /** Requests whose client went away before the answer was complete. */
  clientClosed: number;
  byRoute: Record<MockRoute, number>;
  byOutcome: Record<MockOutcome, number>;
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = 0;
  return out;
}

export function emptyStats(): MockStats {
  return { requests: 0, inFlight: 0, clientClosed: 0, byRoute: zeros(MOCK_ROUTES), byOutcome: zeros(MOCK_OUTCOMES) };
}

export function copyStats(s: MockStats): MockStats {
  return { ...s, byRoute: { ...s.byRoute }, byOutcome: { ...s.byOutcome } };
}
