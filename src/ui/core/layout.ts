/**
 * Choosing how the dashboard's panels fit the terminal. Pure: the size comes
 * in, the choice goes out, so the rule is testable without a terminal.
 *
 * The frame is header + alert bar + panels + events line. The frame must
 * never be taller than the terminal (a taller frame scrolls and flickers), so
 * on a short terminal panels lose detail first, and only when even one-line
 * panels cannot all fit are targets left out behind a "+N more" line.
 *
 * The panels keep the most detail that fits, as before the chart existed;
 * the rows they leave over go to the chart (src/ui/core/chart-frame.ts)
 * when there are at least CHART_MIN_HEIGHT of them, so the frame uses the
 * rows the terminal has.
 */
import { CHART_MIN_HEIGHT, CHART_MIN_WIDTH } from './chart-frame.js';

export type Detail = 'full' | 'compact' | 'brief' | 'minimal';

export interface Layout {
  columns: 1 | 2 | 3 | 4;
  panelWidth: number;
  detail: Detail;
  visibleTargets: number;
  /** Rows of the chart below the panels; 0: no chart. */
  chartRows: number;
}

/** Narrower than this, a full panel's latency line no longer fits. */
export const MIN_PANEL_WIDTH = 38;
export const MAX_COLUMNS = 4;
export const HEADER_LINES = 2;
export const EVENTS_LINES = 1;
/** The alert bar takes 1 to 3 lines; the layout reserves the most it may use. */
export const MAX_ALERT_LINES = 3;
/** The "+N more" line shown when not every target fits. */
export const MORE_LINES = 1;

/** Rows a panel takes, borders included (TargetPanel draws exactly these). */
export const PANEL_HEIGHT: Record<Detail, number> = {
  full: 11,
  compact: 7,
  brief: 2,
  minimal: 1,
};

export const DETAILS: readonly Detail[] = ['full', 'compact', 'brief', 'minimal'];

export interface LayoutOptions {
  /** Lines the alert bar will use (1–3); default MAX_ALERT_LINES. */
  alertLines?: number;
  /** Give the rows left over to the chart (the dashboard screen); default false. */
  chart?: boolean;
}

function chromeLines(alertLines: number): number {
  return HEADER_LINES + alertLines + EVENTS_LINES;
}

export function chooseLayout(cols: number, rows: number, targets: number, opts: LayoutOptions = {}): Layout {
  const alertLines = Math.min(MAX_ALERT_LINES, Math.max(1, Math.floor(opts.alertLines ?? MAX_ALERT_LINES)));
  const width = Math.max(1, Math.floor(cols));
  const n = Math.max(0, Math.floor(targets));
  // More columns than targets would only make every panel narrower for nothing.
  const byWidth = Math.floor(width / MIN_PANEL_WIDTH);
  const columns = Math.min(MAX_COLUMNS, Math.max(1, Math.min(byWidth, n))) as Layout['columns'];
  const panelWidth = Math.floor(width / columns);
  const available = Math.floor(rows) - chromeLines(alertLines);
  const panelRows = Math.ceil(n / columns);

  for (const detail of DETAILS) {
    const used = panelRows * PANEL_HEIGHT[detail];
    if (used <= available) {
      const left = available - used;
      const chartRows = opts.chart === true && n > 0 && left >= CHART_MIN_HEIGHT && width >= CHART_MIN_WIDTH ? left : 0;
      return { columns, panelWidth, detail, visibleTargets: n, chartRows };
    }
  }
  // Even one-line panels overflow: show as many rows as fit above a "+N more" line.
  const fitRows = Math.max(0, available - MORE_LINES);
  return { columns, panelWidth, detail: 'minimal', visibleTargets: Math.min(n, fitRows * columns), chartRows: 0 };
}

/**
 * The height of the frame a layout produces. Bounded by `rows` whenever the
 * terminal has room for the chrome and the "+N more" line (rows ≥ 7 with a
 * 3-line alert bar); below that nothing useful fits anyway.
 */
export function frameHeight(layout: Layout, targets: number, alertLines: number = MAX_ALERT_LINES): number {
  const shown = Math.min(targets, layout.visibleTargets);
  const panelRows = Math.ceil(shown / layout.columns);
  const more = shown < targets ? MORE_LINES : 0;
  return chromeLines(alertLines) + panelRows * PANEL_HEIGHT[layout.detail] + more + layout.chartRows;
}
