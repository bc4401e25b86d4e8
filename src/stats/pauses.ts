/**
 * When a run was paused (the dashboard's `p`): rates and cost per hour over a
 * run's whole span divide by the time it was sending, not by the minutes it
 * sat paused. Rolling windows (1m, 5m, 15m) keep their wall-clock span: a
 * paused minute is a minute with no traffic in it.
 */
export class PauseLog {
  /** [start, end] of each pause; the last one's end is Infinity while it lasts. */
  private readonly spans: [number, number][] = [];

  pause(nowMs: number): void {
    if (!this.paused()) this.spans.push([nowMs, Infinity]);
  }

  resume(nowMs: number): void {
    const last = this.spans.at(-1);
    if (last && last[1] === Infinity) last[1] = nowMs;
  }

  paused(): boolean {
    return this.spans.at(-1)?.[1] === Infinity;
  }

  /** How much of [fromMs, toMs] was paused. */
  within(fromMs: number, toMs: number): number {
    let total = 0;
    for (const [s, e] of this.spans) total += Math.max(0, Math.min(e, toMs) - Math.max(s, fromMs));
    return total;
  }
}
