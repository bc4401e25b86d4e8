/**
 * Puts the dashboard on the terminal and takes it off again. The frame lives
 * on the alternate screen, so quitting gives the user back their terminal as
 * it was, with the summary printed below their prompt. Everything Ink writes
 * passes through redact(), like every other byte relaymon prints.
 */
import { render, type Instance } from 'ink';
import { redact } from '../core/redact.js';
import type { Threshold } from '../stats/thresholds.js';
import type { WindowName } from '../stats/windows.js';
import { App, type DashboardFeed } from './App.js';
import { ColorContext } from './components/Line.js';
import type { ViewCommand } from './core/view-state.js';

export { DEFAULT_FPS } from './defaults.js';
const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';
const CLEAR_SCREEN = '\u001b[2J\u001b[H';
const RESIZE_DEFER_MS = 30;

export interface MountOptions {
  feed: DashboardFeed;
  thresholds: readonly Threshold[];
  initialWindow: WindowName;
  fps: number;
  color: boolean;
  onCommand(command: ViewCommand): void;
  /** The user chose another window (w): the engine computes it from its next snapshot on. */
  onWindow?(window: WindowName): void;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

export interface SlowFrames {
  frames: number;
  slow: number;
  worstMs: number;
}

export interface MountedDashboard {
  /** Takes the frame down and restores the terminal; safe to call twice. */
  unmount(): void;
  /** Frames that took longer to render than one frame period. */
  slowFrames(): SlowFrames;
}

type Listener = (...args: unknown[]) => void;

/**
 * The stream Ink draws on: writes are redacted, and Ink's own 'resize'
 * listeners run a moment later. Ink redraws on resize with the tree as it is;
 * deferred, the dashboard (whose size hook listens directly) has re-rendered
 * at the new size first, so shrinking a terminal never draws a frame at the
 * old width (its lines would wrap and scroll the header away); a narrower
 * terminal gets a clean screen first.
 */
function inkStream(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  const write = (chunk: unknown, ...rest: unknown[]): boolean =>
    (stream.write as (...args: unknown[]) => boolean)(typeof chunk === 'string' ? redact(chunk) : chunk, ...rest);
  const deferred = new Map<Listener, Listener>();
  let lastCols = stream.columns;
  const proxy: NodeJS.WriteStream = new Proxy(stream, {
    get(target, prop, receiver) {
      if (prop === 'write') return write;
      if (prop === 'on' || prop === 'addListener') {
        return (event: string | symbol, fn: Listener) => {
          let listener = fn;
          if (event === 'resize') {
            // React schedules its re-render with setImmediate too; a short timer lands after it.
            listener = (...args) =>
              void setTimeout(() => {
                // A narrower terminal re-wraps the old frame's lines onto more rows than
                // Ink knows to erase; on the alternate screen a full clear loses nothing.
                const cols = target.columns;
                if (cols < lastCols) (stream.write as (s: string) => boolean)(CLEAR_SCREEN);
                lastCols = cols;
                fn(...args);
              }, RESIZE_DEFER_MS);
            deferred.set(fn, listener);
          }
          (target as NodeJS.EventEmitter).on(event, listener);
          return proxy;
        };
      }
      if (prop === 'off' || prop === 'removeListener') {
        return (event: string | symbol, fn: Listener) => {
          (target as NodeJS.EventEmitter).off(event, deferred.get(fn) ?? fn);
          deferred.delete(fn);
          return proxy;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return proxy;
}

export function mountDashboard(o: MountOptions): MountedDashboard {
  const stdout = o.stdout ?? process.stdout;
  const stdin = o.stdin ?? process.stdin;
  const budgetMs = 1000 / o.fps;
  const frames: SlowFrames = { frames: 0, slow: 0, worstMs: 0 };
  stdout.write(ENTER_ALT_SCREEN);
  // If the process dies with the frame up, the user still gets their terminal back.
  const restore = (): void => void stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  process.once('exit', restore);
  const instance: Instance = render(
    <ColorContext.Provider value={o.color}>
      <App feed={o.feed} thresholds={o.thresholds} initialWindow={o.initialWindow} onCommand={o.onCommand} {...(o.onWindow ? { onWindow: o.onWindow } : {})} />
    </ColorContext.Provider>,
    {
      stdout: inkStream(stdout),
      stdin,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: o.fps,
      onRender: ({ renderTime }) => {
        frames.frames++;
        if (renderTime > budgetMs) frames.slow++;
        frames.worstMs = Math.max(frames.worstMs, renderTime);
      },
    },
  );
  let mounted = true;
  return {
    unmount: () => {
      if (!mounted) return;
      mounted = false;
      instance.unmount();
      instance.cleanup();
      process.off('exit', restore);
      restore();
    },
    slowFrames: () => ({ ...frames }),
  };
}
