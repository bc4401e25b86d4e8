import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { stripVTControlCharacters } from 'node:util';
import { App } from '../../../src/ui/App.js';
import { DetailView, MAX_BAR_WIDTH } from '../../../src/ui/components/DetailView.js';
import { styleFor } from '../../../src/ui/components/Line.js';
import { SnapshotFeed } from '../../../src/ui/feed.js';
import type { ViewCommand } from '../../../src/ui/core/view-state.js';
import type { RecentSample } from '../../../src/ui/core/recent.js';
import type { EngineSnapshot } from '../../../src/engine/messages.js';
import type { SomeWindows, WindowName, WindowSet } from '../../../src/stats/windows.js';
import { emptySnapshot, errorHeavySnapshot, normalSnapshot } from './fixtures.js';
import { frameLines, utcTime, widest, WIDTHS } from './render-helpers.js';
import { result } from '../export/result.js';

const samples: RecentSample[] = [120, 130, 150, 400, 420, 450, 480, 2500].map((latencyMs, i) => ({ at: 1000 + i, latencyMs, ok: true, model: 'gpt-4o-mini' }));

function detail(snapshot: EngineSnapshot, name: string, width: number, height: number, s: readonly RecentSample[] = samples) {
  const stats = snapshot.stats?.targets.find((t) => t.target === name) ?? null;
  return frameLines(
    <DetailView name={name} stats={stats} window="1m" samples={s} errors={snapshot.recentErrors} width={width} height={height} formatTime={utcTime} />,
    width,
  );
}

describe('DetailView', () => {
  for (const cols of WIDTHS) {
    for (const rows of [6, 20, 40]) {
      it(`normal, error-heavy and empty at ${cols}×${rows} stay within their box`, () => {
        for (const [snap, name] of [
          [normalSnapshot(), 'relay'],
          [errorHeavySnapshot(), 'relay'],
          [emptySnapshot(), 'direct'],
        ] as const) {
          const lines = detail(snap, name, cols, rows);
          expect(lines.length).toBeLessThanOrEqual(rows);
          expect(widest(lines)).toBeLessThanOrEqual(cols);
          expect(lines[0]).toContain(`${name}  detail · window 1m`);
        }
      });
    }
  }

  it('shows every timing, the histogram of the samples, a row per model and this target\'s errors', () => {
    const snap = errorHeavySnapshot();
    const text = detail(snap, 'relay', 100, 60).join('\n');
    for (const label of ['latency', 'scheduled', 'ttfb', 'ttft', 'itl', 'chunk gap', 'tokens/s', 'per model', 'recent errors']) {
      expect(text).toContain(label);
    }
    expect(text).toContain('latency distribution · last 8 requests in the window');
    const counts = text
      .split('\n')
      .filter((l) => / – .*█|▏|▎|▍|▌|▋|▊|▉/.test(l) && /ms|s /.test(l))
      .map((l) => Number(/\s(\d+)\s+[█▏▎▍▌▋▊▉]/.exec(l)?.[1] ?? 0));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(samples.length);
    expect(text).toContain('gpt-4o-mini');
    const relayErrors = snap.recentErrors.filter((e) => e.target === 'relay').length;
    expect(relayErrors).toBeGreaterThan(0);
    expect(text).toContain('rate_limited');
    const other = detail(snap, 'direct', 100, 60).join('\n');
    expect(other.split('recent errors')[1]).toContain('none');
  });

  it('caps bar length and says so when there is nothing yet', () => {
    const lines = detail(normalSnapshot(), 'relay', 160, 60);
    for (const l of lines) expect((l.match(/█/g) ?? []).length).toBeLessThanOrEqual(MAX_BAR_WIDTH);
    expect(detail(normalSnapshot(), 'relay', 100, 60, []).join('\n')).toContain('no requests yet');
    expect(detail(emptySnapshot(), 'direct', 100, 20).join('\n')).toContain('waiting for data');
  });
});

describe('colour', () => {
  it('NO_COLOR keeps weight but drops colour', () => {
    expect(styleFor('bad', true)).toEqual({ color: 'red' });
    expect(styleFor('bad', false)).toEqual({});
    expect(styleFor('title', false)).toEqual({ bold: true });
    expect(styleFor('dim', false)).toEqual({ dimColor: true });
  });
});

describe('App', () => {
  const tick = () => new Promise((r) => setTimeout(r, 30));
  const frame = (r: ReturnType<typeof render>) => stripVTControlCharacters(r.lastFrame() ?? '');
  /** Waits (up to 2 s) for the frame to satisfy `ok`: Ink reads a lone Esc only after its escape-sequence timeout, later on a loaded machine. */
  const until = async (r: ReturnType<typeof render>, ok: (f: string) => boolean): Promise<string> => {
    const deadline = Date.now() + 2000;
    while (!ok(frame(r)) && Date.now() < deadline) await tick();
    return frame(r);
  };

  function mount(first: EngineSnapshot | null = normalSnapshot()) {
    const feed = new SnapshotFeed();
    if (first) feed.push(first);
    const commands: ViewCommand[] = [];
    const windows: WindowName[] = [];
    const r = render(
      <App
        feed={feed}
        thresholds={[]}
        initialWindow="1m"
        onCommand={(c) => commands.push(c)}
        onWindow={(w) => windows.push(w)}
        now={() => Date.UTC(2026, 0, 1, 12, 1, 5)}
        formatTime={utcTime}
      />,
    );
    return { r, feed, commands, windows };
  }

  it('says it is starting until the first snapshot, then draws it', async () => {
    const { r, feed } = mount(null);
    expect(frame(r)).toContain('starting the engine');
    feed.push(normalSnapshot());
    await tick();
    expect(frame(r)).toContain('direct');
    expect(frame(r)).toContain('window 1m');
    r.unmount();
  });

  it('keys change the view and send engine commands', async () => {
    const { r, commands } = mount();
    r.stdin.write('w');
    await tick();
    expect(frame(r)).toContain('window 5m');
    r.stdin.write('p');
    r.stdin.write('p');
    r.stdin.write('r');
    await tick();
    expect(commands).toEqual(['pause', 'resume', 'reset']);
    r.stdin.write('?');
    await tick();
    expect(frame(r)).toContain('toggle this help');
    r.stdin.write('\u001b'); // Esc
    expect(await until(r, (f) => !f.includes('toggle this help'))).not.toContain('toggle this help');
    r.stdin.write('\t');
    r.stdin.write('\t');
    await tick();
    r.stdin.write('\r');
    await tick();
    expect(await until(r, (f) => f.includes('relay  detail · window 5m'))).toContain('relay  detail · window 5m');
    r.stdin.write('\u001b');
    expect(await until(r, (f) => !f.includes('detail · window'))).not.toContain('detail · window');
    r.stdin.write('q');
    await tick();
    expect(commands.at(-1)).toBe('quit');
    r.unmount();
  });

  it('Ctrl-C is a key inside the dashboard: it quits', async () => {
    const { r, commands } = mount();
    r.stdin.write('\u0003');
    await tick();
    expect(commands).toEqual(['quit']);
    r.unmount();
  });

  it('the detail view draws the recent requests the feed collected', async () => {
    const { r, feed } = mount();
    const now = Date.UTC(2026, 0, 1, 12, 1, 5);
    const snap = { ...normalSnapshot(), results: [300, 320, 340].map((l, i) => result({ target: 'direct', startedAt: now - 5000 + i, latencyMs: l })) };
    feed.push(snap);
    r.stdin.write('\r');
    await tick();
    expect(frame(r)).toContain('last 3 requests in the window');
    r.unmount();
  });

  it('w asks the engine for the next window, and the frame keeps the window it has numbers for until they come', async () => {
    const { r, feed, windows } = mount(onlyWindows(normalSnapshot(), ['1m']));
    r.stdin.write('w');
    await tick();
    expect(windows).toEqual(['5m']);
    // The engine computes 5m from its next snapshot on (engine/ticks.ts setWindows): none has come yet.
    expect(frame(r)).toContain('window 1m');
    expect(frame(r)).not.toContain('window 5m');
    feed.push(onlyWindows(normalSnapshot(), ['1m', '5m']));
    expect(await until(r, (f) => f.includes('window 5m'))).toContain('window 5m');
    r.unmount();
  });
});

/** `snap` as a run that computes only the windows `keep` sends it (EngineConfig.liveWindows). */
function onlyWindows(snap: EngineSnapshot, keep: readonly WindowName[]): EngineSnapshot {
  const pick = (w: SomeWindows): SomeWindows => Object.fromEntries(keep.map((k) => [k, w[k]])) as Partial<WindowSet>;
  const stats = snap.stats;
  if (!stats) return snap;
  return {
    ...snap,
    stats: {
      ...stats,
      windows: pick(stats.windows),
      targets: stats.targets.map((t) => ({
        ...t,
        windows: pick(t.windows),
        models: t.models.map((m) => ({ ...m, windows: pick(m.windows) })),
        probes: t.probes.map((p) => ({ ...p, windows: pick(p.windows) })),
      })),
    },
  };
}
