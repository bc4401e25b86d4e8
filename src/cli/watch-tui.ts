/**
 * `watch` in a terminal: the engine in its worker, the dashboard on the
 * alternate screen. q (or Ctrl-C, which the dashboard reads as a key) stops
 * traffic, takes the frame down and lets the caller print the summary;
 * SIGTERM does the same but counts as an interruption (exit 130).
 */
import { EXIT } from '../core/errors.js';
import { registeredSecrets } from '../core/redact.js';
import { Engine } from '../engine/engine.js';
import type { EngineFinal } from '../engine/messages.js';
import { Notifier } from '../alerts/notifier.js';
import { SnapshotFeed } from '../ui/feed.js';
import { mountDashboard } from '../ui/mount.js';
import { runExitCode } from './headless.js';
import { onInterrupt } from './signals.js';
import type { WatchOutcome } from './watch-plain.js';
import type { WatchSetup } from './watch.js';

/** Requests in flight when the user quits get this long to finish; a dashboard user expects a prompt exit. */
export const WATCH_GRACE_MS = 5000;

export async function runWatchTui(s: WatchSetup): Promise<WatchOutcome> {
  const { io } = s;
  const engine = new Engine({ ...s.engine, secrets: registeredSecrets(), tickMs: 250, graceMs: WATCH_GRACE_MS, emitResults: true, liveStats: true });
  const feed = new SnapshotFeed();
  // Delivery problems (a dead webhook) would tear the frame: they wait until it is down.
  const held: string[] = [];
  const notifier = new Notifier({
    rules: s.engine.alerts,
    notify: s.notify,
    env: process.env,
    headless: false,
    stderr: (line) => held.push(line),
    bell: () => void process.stdout.write('\u0007'),
  });
  engine.on('snapshot', (snap) => {
    feed.push(snap);
    notifier.handle(snap.alertTransitions);
    s.metrics?.onSnapshot(snap);
  });

  let quitByKey = false;
  let resetAt: number | undefined;
  let interrupted = false;
  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  const release = onInterrupt(() => {
    // After q the user is only waiting for requests in flight; a Ctrl-C then means "now".
    if (quitByKey) process.exit(EXIT.ok);
    interrupted = true;
    engine.stop('interrupt');
    quit();
  });
  const dashboard = mountDashboard({
    feed,
    thresholds: s.engine.thresholds,
    initialWindow: s.window,
    fps: s.fps,
    color: io.color,
    onCommand: (command) => {
      if (command === 'quit') {
        quitByKey = true;
        engine.stop('interrupt');
        quit();
      } else if (command === 'pause') engine.pause();
      else if (command === 'resume') engine.resume();
      else {
        resetAt = Date.now();
        engine.reset();
      }
    },
  });

  let final: EngineFinal;
  try {
    let ended = false;
    await Promise.race([quitting, engine.done.then(() => (ended = true), () => (ended = true))]);
    dashboard.unmount();
    if (!ended) {
      const inFlight = feed.latest()?.saturation.inFlight ?? 0;
      if (inFlight > 0) io.err(`watch: stopping; waiting up to ${WATCH_GRACE_MS / 1000}s for ${inFlight} request(s) in flight (Ctrl-C to exit at once)\n`);
    }
    final = await engine.done;
  } finally {
    dashboard.unmount();
    release();
  }
  s.metrics?.onSnapshot(final.snapshot);
  for (const line of held) io.err(line + '\n');
  notifier.handle(final.snapshot.alertTransitions);
  await notifier.flush(5000);
  await notifier.close();
  if (process.env['RELAYMON_DEBUG']) {
    const f = dashboard.slowFrames();
    io.err(`watch: ${f.frames} frames drawn, ${f.slow} slower than ${Math.round(1000 / s.fps)} ms, worst ${f.worstMs.toFixed(1)} ms\n`);
  }
  const exitCode = quitByKey ? EXIT.ok : interrupted ? EXIT.interrupted : runExitCode(final, false);
  return { final, exitCode, ...(resetAt !== undefined ? { resetAt } : {}) };
}
