/**
 * When a replayed line was sent originally. `offset_ms` is already relative;
 * `timestamp` is a wall-clock time (ISO 8601, or epoch seconds or ms); a
 * request log's `t` is an offset from its run's start. The parser makes every
 * offset relative to the file's earliest timed line.
 */
export type LineTime = { base: 'offset' | 'epoch'; field: string; ms: number };

export type TimeRead = { ok: true; time: LineTime | null } | { ok: false; reason: string };

/**
 * Epoch numbers below this are seconds, above it milliseconds: 1e11 s is the
 * year 5138, 1e11 ms is March 1973 — no real log sits between the two readings.
 */
const EPOCH_SECONDS_BELOW = 1e11;

const NUMERIC_RE = /^\d+(\.\d+)?$/;

/** `offset_ms` wins when a line has both: it says exactly what the replay should do. */
export function readLineTime(obj: Record<string, unknown>): TimeRead {
  const offset = obj['offset_ms'];
  if (offset !== undefined) {
    if (typeof offset !== 'number' || !Number.isFinite(offset) || offset < 0) {
      return { ok: false, reason: 'field "offset_ms": expected a number of milliseconds, 0 or more' };
    }
    return { ok: true, time: { base: 'offset', field: 'offset_ms', ms: offset } };
  }
  const ts = obj['timestamp'];
  if (ts === undefined || ts === null) return { ok: true, time: null };
  const ms = epochMs(ts);
  if (ms === null) {
    return { ok: false, reason: 'field "timestamp": expected an ISO 8601 time or epoch seconds or milliseconds' };
  }
  return { ok: true, time: { base: 'epoch', field: 'timestamp', ms } };
}

export function epochMs(value: unknown): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return null;
    return value < EPOCH_SECONDS_BELOW ? value * 1000 : value;
  }
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (NUMERIC_RE.test(text)) return epochMs(Number(text));
  const parsed = Date.parse(text);
  return Number.isFinite(parsed) ? parsed : null;
}
