/**
 * `watch` in a terminal: the dashboard on the alternate screen, a view of the
 * run pipeline (run/pipeline.ts). q (or Ctrl-C, which the dashboard reads as a
 * key) stops traffic, takes the frame down and lets the caller print the
 * summary; SIGTERM does the same but counts as an interruption (exit 130).
 */
import type { EngineFinal, EngineSnapshot } from '../engine/messages.js';
import { SnapshotFeed } from '../ui/feed.js';
import { mountDashboard } from '../ui/mount.js';
import { runPipeline, type RunControl, type RunView } from './pipeline.js';
import { pipelineExitCode } from './outcome.js';
import { WATCH_GRACE_MS } from './defaults.js';
import type { WatchOutcome, WatchSetup } from './watch-types.js';

class DashboardView implements RunView {
  readonly graceMs = WATCH_GRACE_MS;
  readonly bell = (): void => void process.stdout.write('\u0007');
  private readonly feed = new SnapshotFeed();
  private quitByKey = false;
  private quit: () => void = () => undefined;
  resetAt: number | undefined;
  slowFrames: (() => { frames: number; slow: number; worstMs: number }) | null = null;

  constructor(private readonly s: WatchSetup) {}

  onSnapshot(snap: EngineSnapshot): void {
    this.feed.push(snap);
  }

  interrupt(): 'stop' | 'cut' {
    // After q the user is only waiting for requests in flight; a Ctrl-C then means "stop waiting": they are
    // cancelled now, and the summary is still printed and written (exit 130: a signal outside the dashboard).
    if (this.quitByKey) return 'cut';
    this.quit();
    return 'stop';
  }

  quitByUser(): boolean {
    return this.quitByKey;
  }

  async show(control: RunControl, done: Promise<EngineFinal>): Promise<void> {
    const { s } = this;
    const quitting = new Promise<void>((resolve) => (this.quit = resolve));
    const dashboard = mountDashboard({
      feed: this.feed,
      thresholds: s.engine.thresholds,
      initialWindow: s.window,
      fps: s.fps,
      color: s.io.color,
      onWindow: (window) => control.showWindow(window),
      onCommand: (command) => {
        if (command === 'quit') {
          this.quitByKey = true;
          control.stop();
          this.quit();
        } else if (command === 'pause') control.pause();
        else if (command === 'resume') control.resume();
        else {
          this.resetAt = Date.now();
          control.reset();
        }
      },
    });
    this.slowFrames = () => dashboard.slowFrames();
    try {
      let ended = false;
      await Promise.race([quitting, done.then(() => (ended = true), () => (ended = true))]);
      dashboard.unmount();
      if (!ended) {
        const inFlight = this.feed.latest()?.saturation.inFlight ?? 0;
        if (inFlight > 0) s.io.err(`watch: stopping; waiting up to ${WATCH_GRACE_MS / 1000}s for ${inFlight} request(s) in flight (Ctrl-C to stop waiting)\n`);
      }
    } finally {
      dashboard.unmount();
    }
  }
}

export async function runWatchTui(s: WatchSetup): Promise<WatchOutcome> {
  const view = new DashboardView(s);
  const outcome = await runPipeline(s.engine, s.io, { command: 'watch', notify: s.notify, metrics: s.metrics, view, window: s.window, ...s.report?.runOptions() });
  if (process.env['RELAYMON_DEBUG'] && view.slowFrames) {
    const f = view.slowFrames();
    s.io.err(`watch: ${f.frames} frames drawn, ${f.slow} slower than ${Math.round(1000 / s.fps)} ms, worst ${f.worstMs.toFixed(1)} ms\n`);
  }
  return { final: outcome.final, exitCode: pipelineExitCode(outcome), graceMs: outcome.graceMs, ...(view.resetAt !== undefined ? { resetAt: view.resetAt } : {}) };
}
