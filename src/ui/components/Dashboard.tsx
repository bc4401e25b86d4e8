/**
 * The whole frame for one snapshot at a given terminal size: header, alert
 * bar, the panels chosen by chooseLayout (or the help), a "+N more" line when
 * not every target fits, and the events line. Presentational: the size, the
 * window, the focus and the clock all come in as props.
 */
import { Box } from 'ink';
import type { EngineSnapshot } from '../../engine/messages.js';
import type { Threshold } from '../../stats/thresholds.js';
import type { SomeWindows, TargetStats, WindowName } from '../../stats/windows.js';
import { chooseLayout, HEADER_LINES, EVENTS_LINES, MAX_ALERT_LINES } from '../core/layout.js';
import type { RecentSample } from '../core/recent.js';
import { AlertBar, packAlerts } from './AlertBar.js';
import { DetailView } from './DetailView.js';
import { EventsLine } from './EventsLine.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { Line } from './Line.js';
import { TargetPanel } from './TargetPanel.js';
import type { HealthName } from '../../stats/target-health.js';
import type { ChartInput } from '../core/chart-frame.js';
import { Chart } from './Chart.js';
import { pointValue, type ChartMetric } from '../core/chart-series.js';
import type { ChartStore } from '../core/chart-store.js';
import { SERIES_TONES } from '../core/text.js';
import { firingAlertsFor, targetHealth, healthName, HEALTH_WINDOW } from '../../stats/target-health.js';

export interface DashboardProps {
  snapshot: EngineSnapshot;
  window: WindowName;
  cols: number;
  rows: number;
  clock: string;
  thresholds?: readonly Threshold[];
  /** Index of the focused target, or null. */
  focus?: number | null;
  showHelp?: boolean;
  /** 'detail' shows the focused target's detail view in place of the panels. */
  screen?: 'dashboard' | 'detail';
  /** The focused target's recent requests inside the window, for the detail view's histogram. */
  detailSamples?: readonly RecentSample[];
  formatTime?: (epochMs: number) => string;
  /** The chart's history; without it there is no chart and the sparklines read the engine's last 120 s. */
  chart?: ChartStore;
  /** What the chart draws; default latency p95. */
  metric?: ChartMetric;
}

/** The detail view's chart: p50/p95/p99 for a timing, the one line otherwise. */
function detailChart(store: ChartStore, name: string, window: WindowName, metric: ChartMetric): Omit<ChartInput, 'width' | 'height'> {
  const view = store.view(name, window);
  const marks = store.marksIn(window);
  if (metric === 'latency' || metric === 'ttft' || metric === 'itl') {
    const label = { latency: 'latency', ttft: 'TTFT', itl: 'ITL' }[metric];
    return {
      metric,
      window,
      marks,
      title: `${label} p50/p95/p99`,
      lines: [
        { label: 'p50', tone: 'ok', view, pct: 50 },
        { label: 'p95', tone: 'accent', view, pct: 95 },
        { label: 'p99', tone: 'warn', view, pct: 99 },
      ],
    };
  }
  return { metric, window, marks, lines: [{ label: name, tone: 'accent', view }] };
}

/** Targets in the engine's order, each with its statistics when it has any. */
export function dashboardTargets(snapshot: EngineSnapshot): { name: string; stats: TargetStats<SomeWindows> | null }[] {
  const byName = new Map((snapshot.stats?.targets ?? []).map((t) => [t.target, t]));
  const names = snapshot.targets.map((t) => t.name);
  for (const t of snapshot.stats?.targets ?? []) if (!names.includes(t.target)) names.push(t.target);
  return names.map((name) => ({ name, stats: byName.get(name) ?? null }));
}

/** The same verdict relaymon_target_state exports, from the snapshot alone. */
export function panelState(snapshot: EngineSnapshot, name: string, stats: TargetStats<SomeWindows> | null, targetCount: number): HealthName {
  const now = snapshot.startedAt + snapshot.elapsedMs;
  const info = snapshot.targets.find((t) => t.name === name);
  return healthName(
    targetHealth({
      window: stats?.windows[HEALTH_WINDOW] ?? null,
      firingAlerts: firingAlertsFor(name, snapshot.alerts, targetCount),
      backingOff: info?.backoffUntil !== null && info?.backoffUntil !== undefined && info.backoffUntil > now,
    }),
  );
}

export function Dashboard(props: DashboardProps) {
  const { snapshot, window, cols, rows, clock } = props;
  const width = Math.max(1, Math.floor(cols));
  const alertLines = Math.min(MAX_ALERT_LINES, packAlerts(snapshot.alerts, width, MAX_ALERT_LINES).length);
  const targets = dashboardTargets(snapshot);
  const metric = props.metric ?? 'latency';
  const onPanels = !props.showHelp && props.screen !== 'detail';
  const layout = chooseLayout(width, rows, targets.length, { alertLines, chart: props.chart !== undefined && onPanels });
  const shown = targets.slice(0, layout.visibleTargets);
  const hidden = targets.slice(layout.visibleTargets);
  const grid: (typeof shown)[] = [];
  for (let i = 0; i < shown.length; i += layout.columns) grid.push(shown.slice(i, i + layout.columns));
  const panelsHeight = Math.max(0, Math.floor(rows) - HEADER_LINES - alertLines - EVENTS_LINES);
  const focused = props.focus !== null && props.focus !== undefined ? targets[props.focus] : undefined;
  const detail =
    props.screen === 'detail' && focused ? (
      <DetailView
        name={focused.name}
        stats={focused.stats}
        window={window}
        samples={props.detailSamples ?? []}
        errors={snapshot.recentErrors}
        width={width}
        height={Math.max(1, panelsHeight)}
        {...(props.formatTime ? { formatTime: props.formatTime } : {})}
        {...(props.chart ? { chart: detailChart(props.chart, focused.name, window, metric) } : {})}
      />
    ) : null;
  const store = props.chart;
  const chart =
    store && layout.chartRows > 0 ? (
      <Chart
        metric={metric}
        window={window}
        width={width}
        height={layout.chartRows}
        marks={store.marksIn(window)}
        lines={shown.map((t, i) => ({ label: t.name, tone: SERIES_TONES[i % SERIES_TONES.length]!, view: store.view(t.name, window) }))}
      />
    ) : null;

  return (
    <Box flexDirection="column" width={width}>
      <Header snapshot={snapshot} window={window} clock={clock} width={width} />
      <AlertBar alerts={snapshot.alerts} width={width} maxLines={alertLines} />
      {props.showHelp ? (
        <HelpOverlay width={width} maxHeight={Math.max(1, panelsHeight)} />
      ) : detail ? (
        detail
      ) : (
        <>
          {grid.map((row, r) => (
            <Box key={r} flexDirection="row">
              {row.map((t, c) => (
                <TargetPanel
                  key={t.name}
                  name={t.name}
                  stats={t.stats}
                  window={window}
                  detail={layout.detail}
                  width={layout.panelWidth}
                  thresholds={props.thresholds ?? []}
                  focused={props.focus === r * layout.columns + c}
                  {...(store ? { spark: store.view(t.name, window).points.map((p) => pointValue(p, 'latency')) } : {})}
                  {...(t.stats ? { state: panelState(snapshot, t.name, t.stats, targets.length) } : {})}
                />
              ))}
            </Box>
          ))}
          {hidden.length > 0 ? (
            <Line
              segments={[
                { text: `+${hidden.length} more: `, tone: 'warn' },
                { text: hidden.map((t) => t.name).join(', '), tone: 'dim' },
              ]}
              width={width}
            />
          ) : null}
          {chart}
        </>
      )}
      {props.formatTime ? (
        <EventsLine errors={snapshot.recentErrors} width={width} formatTime={props.formatTime} />
      ) : (
        <EventsLine errors={snapshot.recentErrors} width={width} />
      )}
    </Box>
  );
}
