import type { RequestSpec } from '../protocol/adapter.js';
import { constantSchedule, poissonSchedule, scaledOffsets, type Schedule } from '../traffic/schedule.js';
import { mulberry32 } from '../core/random.js';
import type { ProbeStream, ReplayEntry, ReplayMode, TrafficPlan } from './messages.js';

/** One send the scheduler owes: at `dueMs` (absolute, the engine's clock) send `spec` to each of `targets`. */
export interface DueSend {
  dueMs: number;
  spec: RequestSpec;
  targets: string[];
  probe: string | null;
}

/**
 * An open-loop source of sends whose instants are computed in advance. The
 * scheduler keeps sources in a heap by `peek()` and never sleeps relative to
 * the previous send, so a slow response cannot push later sends back.
 */
export interface OpenLoopSource {
  /** The next instant, or null when exhausted. */
  peek(): number | null;
  take(): DueSend;
}

class ScheduledSource implements OpenLoopSource {
  private nextDue: number | null;
  constructor(
    private readonly schedule: Schedule,
    private readonly make: (dueMs: number) => DueSend,
  ) {
    this.nextDue = schedule.next();
  }
  peek(): number | null {
    return this.nextDue;
  }
  take(): DueSend {
    const due = this.nextDue;
    if (due === null) throw new Error('source exhausted');
    this.nextDue = this.schedule.next();
    return this.make(due);
  }
}

function probeSource(stream: ProbeStream, startMs: number): OpenLoopSource {
  const schedule =
    stream.schedule.kind === 'every'
      ? constantSchedule(startMs, stream.schedule.intervalMs)
      : poissonSchedule(startMs, stream.schedule.ratePerSec, mulberry32(stream.seed));
  return new ScheduledSource(schedule, (dueMs) => ({ dueMs, spec: stream.spec, targets: [stream.target], probe: stream.probe }));
}

/**
 * Replay in its original timing, scaled by speed. With --loop the recording
 * starts over one mean gap after its last line, so the rate stays the same.
 */
class OriginalTimingSource implements OpenLoopSource {
  private index = 0;
  private lapStart: number;
  private readonly offsets: number[];
  private readonly lapLength: number;
  private current: Schedule;
  private nextDue: number | null;

  constructor(
    private readonly entries: ReplayEntry[],
    private readonly speed: number,
    private readonly loop: boolean,
    private readonly targets: string[],
    startMs: number,
  ) {
    const first = entries.find((e) => e.offsetMs !== null)?.offsetMs ?? 0;
    let last = 0;
    this.offsets = entries.map((e) => {
      last = e.offsetMs === null ? last : Math.max(0, e.offsetMs - first);
      return last;
    });
    const span = this.offsets.at(-1) ?? 0;
    this.lapLength = span + (entries.length > 1 ? span / (entries.length - 1) : 1000);
    this.lapStart = startMs;
    this.current = scaledOffsets(startMs, this.offsets, speed);
    this.nextDue = this.current.next();
  }

  peek(): number | null {
    return this.nextDue;
  }

  take(): DueSend {
    const due = this.nextDue;
    if (due === null) throw new Error('source exhausted');
    const entry = this.entries[this.index % this.entries.length]!;
    this.index += 1;
    this.nextDue = this.current.next();
    if (this.nextDue === null && this.loop) {
      this.lapStart += this.lapLength / this.speed;
      this.current = scaledOffsets(this.lapStart, this.offsets, this.speed);
      this.nextDue = this.current.next();
    }
    return { dueMs: due, spec: entry.spec, targets: entry.targets ?? this.targets, probe: null };
  }
}

function replayRateSource(entries: ReplayEntry[], mode: Extract<ReplayMode, { kind: 'rate' }>, loop: boolean, targets: string[], startMs: number): OpenLoopSource {
  const count = loop ? undefined : entries.length;
  const schedule = mode.poisson
    ? poissonSchedule(startMs, mode.ratePerSec, mulberry32(mode.seed), count)
    : constantSchedule(startMs, 1000 / mode.ratePerSec, count);
  let i = 0;
  return new ScheduledSource(schedule, (dueMs) => {
    const entry = entries[i++ % entries.length]!;
    return { dueMs, spec: entry.spec, targets: entry.targets ?? targets, probe: null };
  });
}

export function openLoopSources(plan: TrafficPlan, startMs: number): OpenLoopSource[] {
  if (plan.kind === 'probes') return plan.streams.map((s) => probeSource(s, startMs));
  if (plan.mode.kind === 'original') return [new OriginalTimingSource(plan.entries, plan.mode.speed, plan.loop, plan.targets, startMs)];
  if (plan.mode.kind === 'rate') return [replayRateSource(plan.entries, plan.mode, plan.loop, plan.targets, startMs)];
  return [];
}

/** Closed loop: the next entry to send when a worker is free; null when the replay is done. */
export function closedLoopCursor(entries: ReplayEntry[], loop: boolean): () => ReplayEntry | null {
  let i = 0;
  return () => {
    if (!loop && i >= entries.length) return null;
    return entries[i++ % entries.length]!;
  };
}

/** The targets a plan sends to, in order of first mention. */
export function planTargets(plan: TrafficPlan): string[] {
  return plan.kind === 'probes' ? [...new Set(plan.streams.map((s) => s.target))] : [...new Set(plan.targets)];
}

/** Requests the plan will send in all, when finite. */
export function plannedTotal(plan: TrafficPlan): number | null {
  if (plan.kind === 'probes' || plan.loop) return null;
  if (plan.split) return plan.entries.length; // each line to one target
  let total = 0;
  for (const e of plan.entries) total += (e.targets ?? plan.targets).length;
  return total;
}

/** A binary min-heap of sources by their next instant. */
export class SourceHeap {
  private readonly items: OpenLoopSource[] = [];

  push(s: OpenLoopSource): void {
    if (s.peek() === null) return;
    this.items.push(s);
    this.up(this.items.length - 1);
  }

  peek(): OpenLoopSource | undefined {
    return this.items[0];
  }

  pop(): OpenLoopSource | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (top && last && this.items.length > 0) {
      this.items[0] = last;
      this.down(0);
    }
    return top;
  }

  get size(): number {
    return this.items.length;
  }

  private due(i: number): number {
    return this.items[i]!.peek() ?? Infinity;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.due(p) <= this.due(i)) break;
      [this.items[p], this.items[i]] = [this.items[i]!, this.items[p]!];
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.due(l) < this.due(m)) m = l;
      if (r < n && this.due(r) < this.due(m)) m = r;
      if (m === i) return;
      [this.items[m], this.items[i]] = [this.items[i]!, this.items[m]!];
      i = m;
    }
  }
}
