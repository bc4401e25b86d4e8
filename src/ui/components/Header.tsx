/** The two header lines: what is watched, how busy, what it costs, and the engine's state. */
import { Box } from 'ink';
import type { EngineSnapshot } from '../../engine/messages.js';
import type { WindowName } from '../../stats/windows.js';
import { fmtNum, fmtUsd } from '../../export/format.js';
import { scheduleShortfall } from '../../export/schedule-text.js';
import type { Segment, Tone } from '../core/text.js';
import { Line } from './Line.js';

export interface HeaderProps {
  snapshot: EngineSnapshot;
  window: WindowName;
  /** Already formatted by the caller (its clock, its time zone). */
  clock: string;
  width: number;
}

function stateSegments(snapshot: EngineSnapshot): Segment[] {
  const tones: Record<EngineSnapshot['state'], Tone> = {
    starting: 'dim',
    running: 'ok',
    paused: 'warn',
    stopping: 'warn',
    stopped: 'dim',
  };
  // Both can be true: a paused run can still be finishing requests on a starved client.
  const state: Segment = { text: `● ${snapshot.state}`, tone: tones[snapshot.state] };
  return snapshot.saturation.saturated ? [state, { text: '  ● client saturated', tone: 'bad' }] : [state];
}

function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export function Header({ snapshot, window, clock, width }: HeaderProps) {
  const w = snapshot.stats?.windows[window] ?? null;
  const budget = snapshot.spend.budgetUsd;
  const first: Segment[] = [
    { text: 'relaymon', tone: 'title' },
    { text: '  ' },
    ...stateSegments(snapshot),
    { text: `  window ${window}` },
    { text: `  ${w ? fmtNum(w.rps, 1) : '-'} rps` },
    { text: `  spent ${fmtUsd(snapshot.spend.spentUsd)}` },
    ...(budget !== null ? [{ text: ` of ${fmtUsd(budget)}`, tone: 'dim' as const }] : []),
    { text: `  ${w && w.costPerHourUsd !== null ? fmtUsd(w.costPerHourUsd) : '-'}/h` },
    { text: `  ${clock}`, tone: 'dim' },
  ];
  const sat = snapshot.saturation;
  const progress: Segment = { text: `  ${snapshot.progress.done} done, ${snapshot.progress.errors} errors`, tone: 'dim' };
  // Held back by relaymon's own cap or a 429 back-off: said for the whole run, not only on the tick it happened.
  const held = snapshot.targets.filter((t) => scheduleShortfall(t.schedule));
  const heldNote: Segment[] =
    held.length > 0
      ? [{ text: `held back: ${held.map((t) => `${t.name} ${t.schedule.sent}/${t.schedule.scheduled} sent (cap ${t.cap})`).join(', ')}  `, tone: 'warn' }]
      : [];
  const second: Segment[] = sat.saturated
    ? [
        ...heldNote,
        { text: 'client saturated: ', tone: 'bad' },
        { text: sat.reasons.length > 0 ? sat.reasons.join('; ') : 'numbers may be the client, not the relay' },
        progress,
      ]
    : [
        ...heldNote,
        { text: `${snapshot.targets.length} target${snapshot.targets.length === 1 ? '' : 's'}: `, tone: 'dim' },
        { text: snapshot.targets.map((t) => t.name).join(', ') || 'none' },
        { text: `  up ${elapsed(snapshot.elapsedMs)}`, tone: 'dim' },
        progress,
      ];
  return (
    <Box flexDirection="column" width={width}>
      <Line segments={first} width={width} />
      <Line segments={second} width={width} />
    </Box>
  );
}
