/**
 * The live dashboard: engine snapshots in, a frame out, keys turned into view
 * changes and engine commands. All state that is not the engine's lives here
 * (window, focus, help, detail); every component below is presentational.
 */
import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Box, useInput, useStdin } from 'ink';
import type { EngineSnapshot } from '../engine/messages.js';
import type { Threshold } from '../stats/thresholds.js';
import { WINDOW_SPAN_MS, type WindowName } from '../stats/windows.js';
import { chooseLayout, MAX_ALERT_LINES } from './core/layout.js';
import type { RecentResults } from './core/recent.js';
import type { ChartStore } from './core/chart-store.js';
import { initialView, onInput, type ViewCommand } from './core/view-state.js';
import { Dashboard, dashboardTargets } from './components/Dashboard.js';
import { localTime } from './components/EventsLine.js';
import { Line } from './components/Line.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';

/** Timer ticks are 1 s apart and fire up to a few ms early: a frame older than this is redrawn for the clock. */
const CLOCK_REDRAW_MS = 900;

/** Where the app reads the engine from: the latest snapshot, change notifications, recent requests. */
export interface DashboardFeed {
  latest(): EngineSnapshot | null;
  subscribe(listener: () => void): () => void;
  recent: RecentResults;
  /** The chart's history; without it the dashboard draws no chart. */
  chart?: ChartStore;
}

export interface AppProps {
  feed: DashboardFeed;
  thresholds: readonly Threshold[];
  initialWindow: WindowName;
  onCommand(command: ViewCommand): void;
  /** The user chose another window (w): the engine's snapshots compute it from the next one on (run/pipeline.ts liveWindowsFor). */
  onWindow?(window: WindowName): void;
  /** Wall clock, epoch ms (tests pass a fixed one). */
  now?: () => number;
  formatTime?: (epochMs: number) => string;
}

export function App(props: AppProps) {
  const { feed } = props;
  const now = props.now ?? Date.now;
  const formatTime = props.formatTime ?? localTime;
  const snapshot = useSyncExternalStore(feed.subscribe, feed.latest);
  const [view, setView] = useState(() => initialView(props.initialWindow));
  // Keys typed faster than a render (p p) must each see the previous key's result, not the last rendered view.
  const viewRef = useRef(view);
  const shownWindow = useRef(view.window);
  // The clock is read at each render: snapshots (4 a second) redraw the frame
  // anyway, and a render costs Ink several MB of garbage (Output.get builds an
  // object per cell; bench/memory.mjs), so the second's timer redraws only
  // when nothing else has for most of a second.
  const [, setTick] = useState(0);
  const clock = now();
  const drawnAt = useRef(clock);
  useLayoutEffect(() => {
    drawnAt.current = clock;
  });
  const { cols, rows: termRows } = useTerminalSize();
  const { isRawModeSupported } = useStdin();
  // A frame as tall as the terminal makes Ink clear the whole screen on every
  // update (a visible flicker), so the frame keeps one row free.
  const rows = Math.max(1, termRows - 1);

  useEffect(() => {
    const timer = setInterval(() => {
      if (now() - drawnAt.current >= CLOCK_REDRAW_MS) setTick((t) => t + 1);
    }, 1000);
    return () => clearInterval(timer);
  }, [now]);

  const targets = snapshot ? dashboardTargets(snapshot) : [];
  const columns = chooseLayout(cols, rows, targets.length, { alertLines: MAX_ALERT_LINES }).columns;

  useInput(
    (input, key) => {
      // Keys typed while this thread was busy can come in one read ("rq"): each is taken in turn (onInput).
      const pausable = snapshot?.state === 'running' || snapshot?.state === 'paused';
      const { state, commands } = onInput(viewRef.current, input, key, { targets: targets.length, columns, pausable });
      if (state.window !== viewRef.current.window) props.onWindow?.(state.window);
      viewRef.current = state;
      setView(state);
      for (const command of commands) {
        if (command === 'reset') {
          feed.recent.clear();
          feed.chart?.clear();
        }
        props.onCommand(command);
      }
    },
    { isActive: isRawModeSupported === true },
  );

  if (!snapshot) {
    return (
      <Box width={cols}>
        <Line segments={[{ text: 'relaymon', tone: 'title' }, { text: '  starting the engine…', tone: 'dim' }]} width={cols} />
      </Box>
    );
  }
  // Snapshots compute only the windows shown (EngineConfig.liveWindows): one chosen a moment ago (w) has no
  // numbers until the next snapshot, milliseconds later (engine/ticks.ts setWindows). Until then the frame keeps
  // the window it has numbers for, its name included, rather than blank a quarter-second of panels.
  if (snapshot.stats === null || snapshot.stats.windows[view.window] !== undefined) shownWindow.current = view.window;
  const window = shownWindow.current;
  const focused = view.focus !== null ? targets[view.focus] : undefined;
  const samples = view.screen === 'detail' && focused ? feed.recent.since(focused.name, clock - WINDOW_SPAN_MS[window]) : [];
  return (
    <Dashboard
      snapshot={snapshot}
      window={window}
      cols={cols}
      rows={rows}
      clock={formatTime(clock)}
      thresholds={props.thresholds}
      focus={view.focus}
      showHelp={view.help}
      screen={view.screen}
      detailSamples={samples}
      formatTime={formatTime}
      metric={view.metric}
      {...(feed.chart ? { chart: feed.chart } : {})}
    />
  );
}
