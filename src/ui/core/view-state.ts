/**
 * What the dashboard's keys do, as a pure reducer: the key and the current
 * view in, the next view and at most one command for the engine out. Keeping
 * it apart from Ink makes every key testable without a terminal.
 */
import { WINDOW_NAMES, type WindowName } from '../../stats/windows.js';
import { nextMetric, type ChartMetric } from './chart-series.js';

export interface ViewState {
  window: WindowName;
  /** Index of the focused target in the engine's order, or null. */
  focus: number | null;
  screen: 'dashboard' | 'detail';
  help: boolean;
  paused: boolean;
  /** What the chart draws (m cycles it). */
  metric: ChartMetric;
}

/** The subset of Ink's Key the dashboard reads. */
export interface KeyFlags {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  tab?: boolean;
  shift?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
}

export type ViewCommand = 'quit' | 'pause' | 'resume' | 'reset';

export interface KeyContext {
  targets: number;
  /** Panels per row, so up/down move by a whole row. */
  columns: number;
  /**
   * Whether the engine takes a pause or a resume now (it is running or
   * paused): before its first snapshot it is still starting and ignores
   * both, and a p toggled here anyway would invert every later one.
   */
  pausable: boolean;
}

export function initialView(window: WindowName = '1m'): ViewState {
  return { window, focus: null, screen: 'dashboard', help: false, paused: false, metric: 'latency' };
}

export function nextWindow(w: WindowName): WindowName {
  const i = WINDOW_NAMES.indexOf(w);
  return WINDOW_NAMES[(i + 1) % WINDOW_NAMES.length] ?? '1m';
}

function moveFocus(focus: number | null, delta: number, targets: number): number | null {
  if (targets <= 0) return null;
  if (focus === null) return delta >= 0 ? 0 : targets - 1;
  return (((focus + delta) % targets) + targets) % targets;
}

export function onKey(state: ViewState, input: string, key: KeyFlags, ctx: KeyContext): { state: ViewState; command: ViewCommand | null } {
  const same = { state, command: null };
  if ((key.ctrl && input === 'c') || (!key.ctrl && input === 'q')) return { state, command: 'quit' };
  if (key.escape) {
    if (state.help) return { state: { ...state, help: false }, command: null };
    if (state.screen === 'detail') return { state: { ...state, screen: 'dashboard' }, command: null };
    return { state: { ...state, focus: null }, command: null };
  }
  if (key.ctrl) return same;
  if (input === '?') return { state: { ...state, help: !state.help }, command: null };
  if (input === 'p') {
    if (!ctx.pausable) return same;
    const paused = !state.paused;
    return { state: { ...state, paused }, command: paused ? 'pause' : 'resume' };
  }
  if (input === 'r') return { state, command: 'reset' };
  if (input === 'w') return { state: { ...state, window: nextWindow(state.window) }, command: null };
  if (input === 'm') return { state: { ...state, metric: nextMetric(state.metric) }, command: null };
  const cols = Math.max(1, ctx.columns);
  let delta: number | null = null;
  if (key.tab) delta = key.shift ? -1 : 1;
  else if (key.rightArrow) delta = 1;
  else if (key.leftArrow) delta = -1;
  else if (key.downArrow) delta = state.screen === 'detail' ? 1 : cols;
  else if (key.upArrow) delta = state.screen === 'detail' ? -1 : -cols;
  if (delta !== null) {
    const focus = moveFocus(state.focus, delta, ctx.targets);
    return { state: { ...state, focus }, command: null };
  }
  if (key.return) {
    if (ctx.targets === 0) return same;
    return { state: { ...state, focus: state.focus ?? 0, screen: 'detail', help: false }, command: null };
  }
  return same;
}

/**
 * One read of the terminal's input, which may hold several keys: a main
 * thread that was busy (a starved machine) reads keys typed seconds apart in
 * one chunk, and Ink hands plain text over whole ("rq" for r then q), which
 * matched no key and was lost, q included. Plain text is taken key by key, in
 * order; anything else (an escape sequence, a ctrl or meta chord) is one key.
 */
export function onInput(state: ViewState, input: string, key: KeyFlags & { meta?: boolean }, ctx: KeyContext): { state: ViewState; commands: ViewCommand[] } {
  const keys = [...input];
  if (keys.length <= 1 || key.ctrl || key.meta || key.escape) {
    const one = onKey(state, input, key, ctx);
    return { state: one.state, commands: one.command ? [one.command] : [] };
  }
  const commands: ViewCommand[] = [];
  let next = state;
  for (const k of keys) {
    const one = onKey(next, k, {}, ctx);
    next = one.state;
    if (one.command) commands.push(one.command);
    if (one.command === 'quit') break; // what was typed after q is not for this run
  }
  return { state: next, commands };
}
