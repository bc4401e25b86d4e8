/**
 * The run's account of relaymon's own saturation (engine/saturation-account.ts)
 * in words, for the end of check, replay, compare and watch: when relaymon
 * itself was the bottleneck, its timings include its own delay, and a reader
 * of the numbers must know. Pure.
 */
import type { RunSaturation } from '../engine/messages.js';
import { LOOP_DELAY_SATURATED_MS, OWN_LAG_SATURATED_MS } from '../engine/saturation-account.js';
import { fmtMs } from './format.js';

/** Seconds, whole from 10 s up, one decimal below ("0.8", "6", "12"). */
function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 ? String(Math.round(s)) : String(Math.round(s * 10) / 10);
}

/**
 * "relaymon itself was saturated for 6 of 8 s (event-loop delay p99 up to
 * 141ms, sends up to 1.57s late): …", or null when it never was.
 */
export function saturationNote(s: RunSaturation, durationMs: number): string | null {
  if (!(s.saturatedMs > 0)) return null;
  const why: string[] = [];
  if (s.eventLoopDelayP99MaxMs > LOOP_DELAY_SATURATED_MS) why.push(`event-loop delay p99 up to ${fmtMs(s.eventLoopDelayP99MaxMs)}`);
  if (s.sendLagMaxMs > OWN_LAG_SATURATED_MS) why.push(`sends up to ${fmtMs(s.sendLagMaxMs)} late`);
  // A run shorter than its saturated ticks (a tick runs past the end by a little) never reads "7 of 6 s".
  const total = Math.max(durationMs, s.saturatedMs);
  return (
    `relaymon itself was saturated for ${seconds(s.saturatedMs)} of ${seconds(total)} s${why.length > 0 ? ` (${why.join(', ')})` : ''}: ` +
    'its timings include its own delay; lower the rate or the answer sizes, or give it more CPU'
  );
}
