/**
 * One scheduled run, for every command that sends traffic (check, replay,
 * watch, compare, probe): the engine in its worker (probe's on this thread,
 * RunOptions.inProcess), alert transitions handed to the notifier as they
 * come (webhook, Alertmanager, JSON lines on stderr when headless), /metrics
 * fed every snapshot, the first Ctrl-C/SIGTERM a clean stop (a second exits
 * at once: run/signals.ts), progress on stderr by the rule of
 * run/progress.ts, and deliveries flushed (bounded) before the caller prints
 * its summary. A dashboard is only another view of the same run
 * (RunView, run/watch-tui.ts).
 */
import { Engine } from '../engine/engine.js';
import type { EngineConfig, EngineFinal, EngineSnapshot } from '../engine/messages.js';
import { registeredSecrets } from '../core/redact.js';
import { fmtMs, fmtPct } from '../export/format.js';
import type { Notifier } from '../alerts/notifier.js';
import type { NotifyConfig } from '../config/schema.js';
import type { Io } from './io.js';
import { onInterrupt } from './signals.js';
import { createProgress } from './progress.js';
import { splitProgressText } from './replay-split.js';
import type { MetricsHandle } from './metrics.js';
import { DEFAULT_GRACE_MS } from './defaults.js';
import { assertCanSend } from '../core/can-send.js';
import { HEALTH_WINDOW } from '../stats/target-health.js';
import type { WindowName } from '../stats/windows.js';

/** What a command decides of the engine's config; the pipeline sets the rest (tick, grace, what snapshots carry). */
export type RunConfig = Omit<EngineConfig, 'secrets' | 'tickMs' | 'graceMs' | 'emitResults' | 'liveStats'>;

/** How a view drives the engine (the dashboard's keys). */
export interface RunControl {
  stop(): void;
  pause(): void;
  resume(): void;
  reset(): void;
  /** The view now shows this window: the engine's snapshots compute it from now on (liveWindowsFor). */
  showWindow(window: WindowName): void;
}

/**
 * A view of the run other than the progress line on stderr: it is shown
 * while the run goes on and taken down before the caller prints anything.
 * Alert delivery problems wait until it is down (they would tear the frame).
 */
export interface RunView {
  /** How long requests in flight get after a stop. */
  readonly graceMs: number;
  /** Rings the terminal bell for rules that notify `bell`. */
  readonly bell: (() => void) | null;
  onSnapshot(s: EngineSnapshot): void;
  /** Shows the view until the run ends or the user quits it (then it stops the run through `control`); takes it down before it resolves. */
  show(control: RunControl, done: Promise<EngineFinal>): Promise<void>;
  /** The first Ctrl-C/SIGTERM: 'cut' when the user had already quit and now will not wait for requests in flight. */
  interrupt(): 'stop' | 'cut';
  /** Whether the user ended the run from the view (a quit, not an interruption: exit 0). */
  quitByUser(): boolean;
}

export interface RunOptions {
  /** The command, named on the off-terminal progress lines. */
  command: string;
  notify?: NotifyConfig | undefined;
  /** /metrics (--metrics-port): fed every snapshot, the final one included. */
  metrics?: Pick<MetricsHandle, 'onSnapshot'> | null;
  /** Every finished result in the snapshots (default: when /metrics is on, which needs them). */
  emitResults?: boolean;
  /** Window statistics in every snapshot even without /metrics (watch's plain lines need them). */
  liveStats?: boolean;
  /** The window the view or watch's plain lines show first; snapshots compute it and the health window (liveWindowsFor). */
  window?: WindowName;
  /** Progress on stderr by the rule of run/progress.ts (default on; a view has none). */
  progress?: boolean;
  /** Snapshot period (default 250 ms). */
  tickMs?: number;
  /** Grace period of a headless run (default DEFAULT_GRACE_MS); a view sets its own. */
  graceMs?: number;
  onSnapshot?: (s: EngineSnapshot) => void;
  view?: RunView;
  /** The engine on this thread, not in its worker (engine/in-process.ts): probe's, which has no view to draw while it measures. */
  inProcess?: boolean;
}

export interface RunOutcome {
  final: EngineFinal;
  /** Stopped by Ctrl-C/SIGTERM (exit 130). */
  interrupted: boolean;
  /** Ended by the user from a view (q in the dashboard: exit 0). */
  quitByUser: boolean;
  /** How long a stop waited for requests in flight (the view's, or the headless default); null: the user cut the wait short (Ctrl-C after q). */
  graceMs: number | null;
}

/**
 * The windows a run's periodic snapshots compute (EngineConfig.liveWindows):
 * the one shown, and 1m, which judges each target's health (the dashboard's
 * panels, /metrics' relaymon_target_state). The others would cost the worker
 * their percentiles at every tick for nobody.
 */
export function liveWindowsFor(shown: WindowName | null): WindowName[] {
  return shown === null || shown === HEALTH_WINDOW ? [HEALTH_WINDOW] : [HEALTH_WINDOW, shown];
}

export async function runPipeline(config: RunConfig, io: Io, opts: RunOptions): Promise<RunOutcome> {
  const metrics = opts.metrics ?? null;
  const view = opts.view ?? null;
  const engineConfig: EngineConfig = {
    ...config,
    secrets: registeredSecrets(),
    tickMs: opts.tickMs ?? 250,
    graceMs: view?.graceMs ?? opts.graceMs ?? DEFAULT_GRACE_MS,
    // /metrics needs the results, and the 1m window for relaymon_target_state. Without it only the
    // progress line is live: no per-tick window statistics (they would delay sends).
    emitResults: opts.emitResults ?? (view !== null || metrics !== null),
    liveStats: view !== null || metrics !== null || opts.liveStats === true,
    liveWindows: liveWindowsFor(opts.window ?? null),
  };
  assertCanSend(); // the engine's worker would fail each request instead, blaming the relay
  const engine = new Engine(engineConfig, { inProcess: opts.inProcess === true && view === null });
  // Delivery problems (a dead webhook) would tear a view's frame: they wait until it is down.
  const held: string[] = [];
  const notifier = await createNotifier(config, io, opts, view, held);
  const progress = createProgress(io, opts.command, { enabled: view === null && opts.progress !== false });
  const beside = (s: EngineSnapshot): void => {
    notifier?.handle(s.alertTransitions);
    metrics?.onSnapshot(s);
    opts.onSnapshot?.(s);
  };
  engine.on('snapshot', (s) => {
    if (view) {
      view.onSnapshot(s);
      beside(s);
    } else progress.update(s.elapsedMs, () => progressLine(s), () => beside(s));
  });

  let interrupted = false;
  let cut = false;
  const release = onInterrupt(() => {
    interrupted = true;
    cut = view?.interrupt() === 'cut';
    if (cut) engine.cut();
    else engine.stop('interrupt');
  });
  let final: EngineFinal;
  try {
    if (view) {
      const control: RunControl = {
        stop: () => engine.stop('interrupt'),
        pause: () => engine.pause(),
        resume: () => engine.resume(),
        reset: () => engine.reset(),
        showWindow: (window) => engine.windows(liveWindowsFor(window)),
      };
      await view.show(control, engine.done);
    }
    final = await engine.done;
    progress.done();
  } finally {
    release();
  }
  if (view) {
    metrics?.onSnapshot(final.snapshot);
    for (const line of held) io.err(line + '\n');
    notifier?.handle(final.snapshot.alertTransitions);
  } else {
    notifier?.handle(final.snapshot.alertTransitions);
    metrics?.onSnapshot(final.snapshot);
  }
  await notifier?.flush(5000);
  await notifier?.close();
  // A signal after the view's own quit (watch: Ctrl-C while q waits for requests in flight) is an interruption still.
  return { final, interrupted, quitByUser: !interrupted && (view?.quitByUser() ?? false), graceMs: cut ? null : engineConfig.graceMs };
}

/**
 * The notifier of a run with alert rules; null without any, since then no
 * transition can happen (the engine evaluates the rules) and nothing is sent.
 * Loaded only then: its HTTP sinks load undici, which a probe or a check
 * without alerts would load on the main thread for nothing.
 */
async function createNotifier(config: RunConfig, io: Io, opts: RunOptions, view: RunView | null, held: string[]): Promise<Notifier | null> {
  if (config.alerts.length === 0) return null;
  const { Notifier } = await import('../alerts/notifier.js');
  return new Notifier({
    rules: config.alerts,
    notify: opts.notify,
    env: process.env,
    headless: view === null,
    stderr: view ? (line) => held.push(line) : (line) => io.err(line + '\n'),
    bell: view?.bell ?? null,
  });
}

export function progressLine(s: EngineSnapshot): string {
  const { sent, done, errors, total } = s.progress;
  const secs = s.elapsedMs / 1000;
  const rate = secs > 0 ? done / secs : 0;
  const errPart = `${errors} errors${done > 0 ? ` (${fmtPct(errors / done)})` : ''}`;
  if (total !== null && total > 0) {
    const width = 24;
    const filled = Math.min(width, Math.round((done / total) * width));
    const eta = rate > 0 ? (total - done) / rate : null;
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ${rate.toFixed(1)}/s  ${errPart}  ETA ${eta === null ? '?' : fmtMs(eta * 1000)}${splitProgressText(s)}`;
  }
  return `${done} done, ${sent - done} in flight  ${rate.toFixed(1)}/s  ${errPart}  ${fmtMs(s.elapsedMs)}${splitProgressText(s)}`;
}
