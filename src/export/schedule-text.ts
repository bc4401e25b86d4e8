/**
 * What the engine itself held back or skipped, said in a few words wherever a
 * run's numbers are shown (the end-of-run text, watch's logfmt lines, the
 * dashboard header), so a shortfall of relaymon's own is never read as the
 * relay's. Pure.
 */
import type { TargetSchedule } from '../engine/messages.js';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** True when the cap held traffic back, or sends were dropped or skipped. */
export function scheduleShortfall(s: TargetSchedule): boolean {
  return s.capWaits > 0 || s.dropped > 0 || s.skippedBackoff > 0;
}

/**
 * "cap 8 held back 352 sends; 48 of 400 due were sent; 352 dropped", or null
 * when every send the plan owed went out when it was due.
 */
export function scheduleNote(cap: number, s: TargetSchedule): string | null {
  if (!scheduleShortfall(s)) return null;
  const parts: string[] = [];
  if (s.capWaits > 0) parts.push(`cap ${cap} held back ${plural(s.capWaits, 'send')}`);
  parts.push(`${s.sent} of ${s.scheduled} due ${s.sent === 1 ? 'was' : 'were'} sent`);
  if (s.dropped > 0) parts.push(`${s.dropped} dropped`);
  if (s.skippedBackoff > 0) parts.push(`${s.skippedBackoff} skipped in a 429 back-off`);
  return parts.join('; ');
}

/** The logfmt fields for a shortfall (appended to the line only when there is one; values are cumulative but `held`). */
export function scheduleFields(cap: number, s: TargetSchedule): [string, string][] {
  if (!scheduleShortfall(s)) return [];
  return [
    ['cap', String(cap)],
    ['cap_waits', String(s.capWaits)],
    ['sent', String(s.sent)],
    ['scheduled', String(s.scheduled)],
    ['dropped', String(s.dropped)],
    ['skipped_backoff', String(s.skippedBackoff)],
    // Mid-run, the sends waiting at the cap right now: scheduled = sent + dropped + skipped_backoff + held on every line.
    ['held', String(Math.max(0, s.scheduled - s.sent - s.dropped - s.skippedBackoff))],
  ];
}
