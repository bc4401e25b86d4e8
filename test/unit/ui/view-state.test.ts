import { describe, expect, it } from 'vitest';
import { initialView, nextWindow, onInput, onKey, type KeyFlags, type ViewState } from '../../../src/ui/core/view-state.js';

const ctx = { targets: 5, columns: 2, pausable: true };
const press = (s: ViewState, input: string, key: KeyFlags = {}) => onKey(s, input, key, ctx);

describe('dashboard keys', () => {
  it('q and Ctrl-C quit; a plain c does nothing', () => {
    expect(press(initialView(), 'q').command).toBe('quit');
    expect(press(initialView(), 'c', { ctrl: true }).command).toBe('quit');
    expect(press(initialView(), 'c')).toEqual({ state: initialView(), command: null });
  });

  it('w cycles 1m → 5m → 15m → all → 1m', () => {
    let s = initialView('1m');
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      s = press(s, 'w').state;
      seen.push(s.window);
    }
    expect(seen).toEqual(['5m', '15m', 'all', '1m', '5m']);
    expect(nextWindow('all')).toBe('1m');
  });

  it('p toggles pause and says which engine command to send', () => {
    const first = press(initialView(), 'p');
    expect(first.command).toBe('pause');
    expect(first.state.paused).toBe(true);
    const second = press(first.state, 'p');
    expect(second.command).toBe('resume');
    expect(second.state.paused).toBe(false);
  });

  it('p before the engine runs (still starting) does nothing, so the next p still pauses', () => {
    const starting = { ...ctx, pausable: false };
    expect(onKey(initialView(), 'p', {}, starting)).toEqual({ state: initialView(), command: null });
    expect(press(initialView(), 'p').command).toBe('pause');
  });

  it('r asks for a reset and keeps the view', () => {
    const s = { ...initialView('15m'), focus: 2 };
    expect(press(s, 'r')).toEqual({ state: s, command: 'reset' });
  });

  it('Tab and arrows move the focus, wrapping; up/down move a whole row of panels', () => {
    let s = press(initialView(), '', { tab: true }).state;
    expect(s.focus).toBe(0);
    s = press(s, '', { rightArrow: true }).state;
    expect(s.focus).toBe(1);
    s = press(s, '', { downArrow: true }).state;
    expect(s.focus).toBe(3);
    s = press(s, '', { downArrow: true }).state;
    expect(s.focus).toBe(0); // 5 wraps to 0 of 5 targets
    s = press(s, '', { leftArrow: true }).state;
    expect(s.focus).toBe(4);
    s = press(s, '', { tab: true, shift: true }).state;
    expect(s.focus).toBe(3);
    expect(press(initialView(), '', { upArrow: true }).state.focus).toBe(4);
  });

  it('no targets: focus stays null and Enter does nothing', () => {
    const none = { targets: 0, columns: 1, pausable: true };
    expect(onKey(initialView(), '', { tab: true }, none).state.focus).toBeNull();
    expect(onKey(initialView(), '', { return: true }, none).state.screen).toBe('dashboard');
  });

  it('Enter opens the detail of the focused target (the first when none), Esc goes back, then clears the focus', () => {
    let s = press(initialView(), '', { return: true }).state;
    expect(s).toMatchObject({ screen: 'detail', focus: 0 });
    s = press(s, '', { downArrow: true }).state;
    expect(s).toMatchObject({ screen: 'detail', focus: 1 }); // in the detail view down is the next target
    s = press(s, '', { escape: true }).state;
    expect(s).toMatchObject({ screen: 'dashboard', focus: 1 });
    s = press(s, '', { escape: true }).state;
    expect(s.focus).toBeNull();
  });

  it('? toggles the help; Esc closes it before leaving the detail view', () => {
    let s = press(initialView(), '', { return: true }).state;
    s = press(s, '?').state;
    expect(s.help).toBe(true);
    s = press(s, '', { escape: true }).state;
    expect(s).toMatchObject({ help: false, screen: 'detail' });
    expect(press(press(initialView(), '?').state, '?').state.help).toBe(false);
  });

  it('m cycles the chart metric and changes nothing else', () => {
    let s = initialView();
    const seen: string[] = [s.metric];
    for (let i = 0; i < 6; i++) {
      const next = press(s, 'm');
      expect(next.command).toBeNull();
      expect({ ...next.state, metric: s.metric }).toEqual(s);
      s = next.state;
      seen.push(s.metric);
    }
    expect(seen).toEqual(['latency', 'ttft', 'itl', 'errors', 'rps', 'cost', 'latency']);
  });
});

describe('onInput: keys that came in one read', () => {
  const ctx2 = { targets: 2, columns: 2, pausable: true };
  it('takes plain text key by key: r then q read together still reset and quit, in order', () => {
    const out = onInput(initialView(), 'rq', {}, ctx2);
    expect(out.commands).toEqual(['reset', 'quit']);
  });
  it('views change key by key too, and nothing after q is taken', () => {
    const out = onInput(initialView('1m'), 'w?qp', {}, ctx2);
    expect(out.state.window).toBe(nextWindow('1m'));
    expect(out.state.help).toBe(true);
    expect(out.commands).toEqual(['quit']);
  });
  it('one key, a ctrl chord or an escape sequence is one key, as onKey has it', () => {
    expect(onInput(initialView(), 'q', {}, ctx2).commands).toEqual(['quit']);
    expect(onInput(initialView(), 'c', { ctrl: true }, ctx2).commands).toEqual(['quit']);
    expect(onInput(initialView(), '', { escape: true }, ctx2).commands).toEqual([]);
  });
});
