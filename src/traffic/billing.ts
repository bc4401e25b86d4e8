/**
 * What a settled request costs the user, as far as the client can tell: the
 * spend guard (budget.ts) books each request's measured cost apart from the
 * upper bound it holds for what the request may cost beyond that. Pure.
 */
import type { RequestResult } from '../core/result.js';

/** What settle() reads of a result: its cost, and whether that cost can be trusted as the bill. */
export type SettledResult = Pick<RequestResult, 'ok' | 'costUsd' | 'usageSource' | 'errorType' | 'timeoutPhase' | 'httpStatus' | 'newConnection' | 'connectMs'>;

/**
 * A request that failed while its connection was being opened (DNS, refused,
 * the connect timer, a TLS handshake on a connection it was opening: the
 * client marks those new with no connect time, client/execute.ts) never
 * reached the relay: it costs nothing. A TLS error on an open connection, or a
 * reset once connected, may have come after the relay took the request.
 */
export function neverReachedRelay(r: SettledResult): boolean {
  if (r.httpStatus !== null) return false;
  if (r.errorType === 'connection_refused' || r.errorType === 'dns' || r.timeoutPhase === 'connect') return true;
  return r.errorType === 'tls' && r.newConnection && r.connectMs === null;
}

/**
 * What a settled request books: `measuredUsd` is its costUsd (what the summary
 * and the request log count), `unknownUsd` what it may cost beyond that, held
 * up to its worst case. A failed request with no usage reported may still be
 * billed: a relay that reset the connection, or cut a stream, after taking the
 * request may have run it to max_tokens upstream (costUsd counts only what
 * arrived, or nothing). Only a request that never reached the relay is known
 * to be free. A relay's reported usage is taken as the bill.
 */
export function bookedCost(reservedUsd: number, r: SettledResult): { measuredUsd: number; unknownUsd: number } {
  const cost = r.costUsd !== null && Number.isFinite(r.costUsd) && r.costUsd >= 0 ? r.costUsd : null;
  if (!r.ok && cost === null && neverReachedRelay(r)) return { measuredUsd: 0, unknownUsd: 0 };
  if (cost === null) return { measuredUsd: 0, unknownUsd: reservedUsd };
  if (!r.ok && r.usageSource !== 'reported') return { measuredUsd: cost, unknownUsd: Math.max(0, reservedUsd - cost) };
  return { measuredUsd: cost, unknownUsd: 0 };
}
