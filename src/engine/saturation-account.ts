import type { RunSaturation } from './messages.js';

/** Event-loop delay p99 above this means the client itself is the bottleneck (the live gauge's bar too). */
export const LOOP_DELAY_SATURATED_MS = 20;
/**
 * A send that waited for nothing but relaymon and left later than this: the
 * run account's bar. Stricter than the live count of sends over 5 ms late,
 * which a tick's window statistics alone can cause; 20 ms is what the
 * event-loop bar already calls saturation.
 */
export const OWN_LAG_SATURATED_MS = 20;

/** One tick's figures, as SaturationMonitor.read() measures them. */
export interface SaturationTick {
  /** Time the tick covers (since the previous read), ms. */
  durationMs: number;
  eventLoopDelayP99Ms: number;
  /** The latest send of the tick that did not wait at a cap or a back-off; null when none left. */
  ownLagMaxMs: number | null;
}

/**
 * Adds up, tick by tick, how long relaymon itself was saturated over a run,
 * so a run's summary can say so after the fact (the live gauge only says it
 * while it lasts). The first tick's event-loop delay is left out of the
 * saturated time and its maximum: it covers the code of the run's first
 * sends and answers running for the first time (V8 compiling it), relaymon
 * warming up, not a load it could not keep up with. Its sends' lateness is
 * not: sendLagMaxMs is the latest send of the whole run. Pure.
 */
export class SaturationAccount {
  private warmedUp = false;
  private saturatedMs = 0;
  private loopMax = 0;
  private lagMax = 0;

  add(tick: SaturationTick): void {
    const lag = tick.ownLagMaxMs ?? 0;
    // Every send counts, the first tick's too: a run's first send is the one most likely to leave late, and the
    // warm-up is over before the plan's first instant (SaturationMonitor.begin), so its sends are the run's.
    this.lagMax = Math.max(this.lagMax, lag);
    if (!this.warmedUp) {
      this.warmedUp = true;
      return;
    }
    this.loopMax = Math.max(this.loopMax, tick.eventLoopDelayP99Ms);
    if (tick.eventLoopDelayP99Ms > LOOP_DELAY_SATURATED_MS || lag > OWN_LAG_SATURATED_MS) this.saturatedMs += Math.max(0, tick.durationMs);
  }

  /** Starts the account afresh (watch's `r`); the warm-up is not repeated. */
  reset(): void {
    this.saturatedMs = 0;
    this.loopMax = 0;
    this.lagMax = 0;
  }

  total(): RunSaturation {
    return { saturatedMs: this.saturatedMs, eventLoopDelayP99MaxMs: this.loopMax, sendLagMaxMs: this.lagMax };
  }
}
