/**
 * `--dry-run`: what a traffic plan would send (requests per hour per target
 * and model) and what it could cost, without sending anything. Pure; the
 * report is plain JSON for `--json`; export/dry-run-text.ts prints it for people.
 */
import { expectedShares } from './split.js';
import { oneTargetPerLine } from './lines.js';
import type { ResolvedTarget } from '../core/target.js';
import type { TrafficPlan } from '../engine/messages.js';
import type { PriceTable } from '../pricing/table.js';
import type { RequestSpec } from '../protocol/adapter.js';
import { specInputTokens, worstCaseUsd } from './budget.js';

const HOUR_MS = 3_600_000;
/** The "expected" cost guesses that a reply uses this share of its max_tokens. */
export const EXPECTED_OUTPUT_FRACTION = 0.5;

export interface DryRunRun {
  /** Requests this row (or the whole run) would send; null when it cannot be known (closed loop cut by a duration). */
  requests: number | null;
  worstCaseUsd: number | null;
  expectedUsd: number | null;
}

export interface DryRunRow {
  target: string;
  model: string;
  /** Probe names feeding this row; empty for a replay. */
  probes: string[];
  /** Null when the rate is not set by the plan (closed-loop replay, a recording with no spread in time). */
  requestsPerHour: number | null;
  /** Prompt tokens of one request as counted locally (the mean over a replay's lines). */
  inputTokensPerRequest: number;
  maxTokensPerRequest: number;
  /** Null when the model has no price. */
  worstCaseUsdPerRequest: number | null;
  expectedUsdPerRequest: number | null;
  worstCaseUsdPerHour: number | null;
  expectedUsdPerHour: number | null;
  priced: boolean;
  /** For a finite run (a duration, a request count, or a replay without --loop); null otherwise. */
  run: DryRunRun | null;
  notes: string[];
}

export interface DryRunReport {
  dryRun: true;
  plan: 'probes' | 'replay';
  durationMs: number | null;
  requestLimit: number | null;
  rows: DryRunRow[];
  totals: {
    /** Null when any row's rate is unknown. */
    requestsPerHour: number | null;
    /** Sums over the priced rows; null when no row is priced. `unpricedRows` says how many were left out. */
    worstCaseUsdPerHour: number | null;
    expectedUsdPerHour: number | null;
    unpricedRows: number;
    run: DryRunRun | null;
  };
  assumptions: {
    expectedOutputFraction: number;
    worstCase: string;
    expected: string;
    inputTokens: string;
  };
  notes: string[];
}

export interface DryRunOptions {
  durationMs: number | null;
  /** `--requests N`: the run stops after N requests to each target (N in all when each line goes to one target: traffic/lines.ts). */
  requests?: number | null;
  /** Output flags given with --dry-run (e.g. "--summary report.json"): a dry run writes none of them, and says so. */
  unwritten?: readonly string[];
}

/** The note a dry run adds when output files were asked for: nothing is sent, so nothing is written. */
export function unwrittenNote(unwritten: readonly string[]): string | null {
  if (unwritten.length === 0) return null;
  return `nothing is written either: ${unwritten.join(', ')} ${unwritten.length === 1 ? 'is' : 'are'} left untouched (a dry run has no results)`;
}

/** Requests of one (target, model) pair, before prices. */
interface Flow {
  target: ResolvedTarget;
  model: string;
  probes: string[];
  /** Each spec with how often it is sent per hour (null: not set by the plan). */
  items: { spec: RequestSpec; perHour: number | null }[];
  /** Sends in all when the plan itself ends (a replay without --loop). */
  count: number | null;
  notes: string[];
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function sumKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : sum(known);
}

function flowFor(flows: Flow[], target: ResolvedTarget, model: string, init: () => Omit<Flow, 'target' | 'model' | 'items'>): Flow {
  let f = flows.find((x) => x.target === target && x.model === model);
  if (!f) flows.push((f = { target, model, items: [], ...init() }));
  return f;
}

function lookupTarget(targets: readonly ResolvedTarget[], name: string): ResolvedTarget {
  const t = targets.find((x) => x.name === name);
  if (!t) throw new Error(`dry run: the plan names target "${name}", which is not among the resolved targets`);
  return t;
}

const CACHE_PAIR_NOTE = 'a cache probe sends each prompt twice (a pair): both requests are counted';

function probeFlows(plan: Extract<TrafficPlan, { kind: 'probes' }>, targets: readonly ResolvedTarget[]): Flow[] {
  const flows: Flow[] = [];
  for (const s of plan.streams) {
    const perHour = s.schedule.kind === 'every' ? HOUR_MS / s.schedule.intervalMs : 3600 * s.schedule.ratePerSec;
    const f = flowFor(flows, lookupTarget(targets, s.target), s.spec.model, () => ({ probes: [], count: null, notes: [] }));
    f.probes.push(s.probe);
    f.items.push({ spec: s.spec, perHour });
    // A cache probe fires a pair: its second request (the same prompt) goes with every first.
    const then = s.spec.expect?.then;
    if (then) {
      f.items.push({ spec: then, perHour });
      if (!f.notes.includes(CACHE_PAIR_NOTE)) f.notes.push(CACHE_PAIR_NOTE);
    }
  }
  return flows;
}

/** Sends per hour of each line of the recording, and why it may be unknown. */
function replayLineRate(plan: Extract<TrafficPlan, { kind: 'replay' }>): { perHour: number | null; note: string | null } {
  const { entries, mode } = plan;
  const n = entries.length;
  if (mode.kind === 'rate') return { perHour: (3600 * mode.ratePerSec) / n, note: null };
  if (mode.kind === 'closed') {
    return { perHour: null, note: `closed loop: ${mode.concurrency} in flight, as fast as the relay answers; the rate is unknown in advance` };
  }
  // The engine's own lap: the recording's span plus one mean gap (so a loop keeps the rate), scaled by speed.
  const first = entries.find((e) => e.offsetMs !== null)?.offsetMs ?? 0;
  let last = 0;
  for (const e of entries) if (e.offsetMs !== null) last = Math.max(last, e.offsetMs - first);
  const lapMs = n > 1 ? last + last / (n - 1) : 1000;
  if (lapMs <= 0) return { perHour: null, note: 'the recording has no spread in time: all lines are sent at once' };
  return { perHour: (HOUR_MS * mode.speed) / lapMs, note: `original timing at ${mode.speed}x speed` };
}

function replayFlows(plan: Extract<TrafficPlan, { kind: 'replay' }>, targets: readonly ResolvedTarget[]): Flow[] {
  if (plan.entries.length === 0) return [];
  const { perHour, note } = replayLineRate(plan);
  const flows: Flow[] = [];
  // --split: each line goes to one target, so each target is counted at its expected share (a ramp's mean), every line once.
  const shares = plan.split ? expectedShares(plan.split) : null;
  const over = plan.split?.ramp ? ` over the ramp (${plan.split.ramp.sharesPct.map((p) => `${p}%`).join(' → ')} of ${plan.split.targets.at(-1)}, each step its --step)` : '';
  // A line goes to its own targets (a recorded log's), else to every target of the plan.
  for (const name of plan.targets) {
    const target = lookupTarget(targets, name);
    const share = shares ? (shares[plan.split!.targets.indexOf(name)] ?? 0) : 1;
    const notes = [...(note === null ? [] : [note]), ...(shares ? [`--split: ${name} gets ${Number((share * 100).toFixed(1))}% of the lines${over}`] : [])];
    for (const e of plan.entries) {
      if (e.targets !== undefined && !e.targets.includes(name)) continue;
      const f = flowFor(flows, target, e.spec.model, () => ({ probes: [], count: plan.loop ? null : 0, notes }));
      f.items.push({ spec: e.spec, perHour: perHour === null ? null : perHour * share });
      if (f.count !== null) f.count += share;
    }
  }
  return flows;
}

interface Priced {
  requestsPerHour: number | null;
  /** Means per request, weighted by how often each spec is sent. */
  worst: number | null;
  expected: number | null;
  inputTokens: number;
  maxTokens: number;
}

function priceFlow(flow: Flow, prices: PriceTable): Priced {
  const rates = flow.items.map((i) => i.perHour);
  const known = rates.every((r): r is number => r !== null);
  const weights = known && sum(rates) > 0 ? rates : flow.items.map(() => 1);
  const total = sum(weights);
  const mean = (values: readonly number[]): number => sum(values.map((v, i) => v * (weights[i] ?? 0))) / total;
  const inputs = flow.items.map((i) => specInputTokens(i.spec));
  const worst = flow.items.map((i) => worstCaseUsd(prices, flow.target, i.spec));
  const expected = flow.items.map((i, k) =>
    prices.cost(
      i.spec.model,
      { inputTokens: inputs[k] ?? 0, outputTokens: i.spec.maxTokens * EXPECTED_OUTPUT_FRACTION, cachedInputTokens: null, reasoningTokens: null },
      flow.target.priceMultiplier,
    ),
  );
  const priced = worst.every((w) => w !== null) && expected.every((e) => e !== null);
  return {
    requestsPerHour: known ? sum(rates) : null,
    worst: priced ? mean(worst.map((w) => w ?? 0)) : null,
    expected: priced ? mean(expected.map((e) => e ?? 0)) : null,
    inputTokens: mean(inputs),
    maxTokens: mean(flow.items.map((i) => i.spec.maxTokens)),
  };
}

/**
 * Requests each flow sends in a finite run (null per flow when unknown); null overall when the run is endless.
 * linesOnce: each line goes to one target (traffic/lines.ts), so -n N is N requests in all, not N per target.
 */
function runCounts(flows: readonly Flow[], rates: readonly (number | null)[], opts: DryRunOptions, linesOnce: boolean): (number | null)[] | null {
  const durationMs = opts.durationMs;
  const limit = opts.requests ?? null;
  const finitePlan = flows.length > 0 && flows.every((f) => f.count !== null);
  if (durationMs === null && limit === null && !finitePlan) return null;
  const base = flows.map((f, i) => {
    const rate = rates[i] ?? null;
    const byDuration = durationMs === null || rate === null ? null : (rate * durationMs) / HOUR_MS;
    if (f.count === null) return byDuration;
    return byDuration === null ? f.count : Math.min(f.count, byDuration);
  });
  if (limit === null) return base;
  // -n N is per target: where it cuts a target's run short, its N is shared among that target's flows
  // in proportion to each flow's rate (or its line count). Lines sent once: N among all the flows alike.
  const out = base.slice();
  const groups = linesOnce ? [flows.map((_, i) => i)] : [...new Set(flows.map((f) => f.target.name))].map((name) => flows.flatMap((f, i) => (f.target.name === name ? [i] : [])));
  for (const idx of groups) {
    const known = idx.map((i) => base[i] ?? null).filter((b): b is number => b !== null);
    if (known.length === idx.length && sum(known) <= limit) continue;
    const weights = idx.map((i) => rates[i] ?? flows[i]!.count ?? 0);
    const total = sum(weights);
    if (total <= 0) continue;
    idx.forEach((i, k) => {
      const b = base[i] ?? null;
      const share = (limit * (weights[k] ?? 0)) / total;
      out[i] = b === null ? share : Math.min(b, share);
    });
  }
  return out;
}

export function dryRunReport(plan: TrafficPlan, targets: ResolvedTarget[], prices: PriceTable, opts: DryRunOptions): DryRunReport {
  const flows = plan.kind === 'probes' ? probeFlows(plan, targets) : replayFlows(plan, targets);
  const priced = flows.map((f) => priceFlow(f, prices));
  const counts = runCounts(
    flows,
    priced.map((p) => p.requestsPerHour),
    opts,
    oneTargetPerLine(plan),
  );
  const rows: DryRunRow[] = flows.map((f, i) => {
    const p = priced[i]!;
    const perHour = (usd: number | null): number | null => (usd === null || p.requestsPerHour === null ? null : usd * p.requestsPerHour);
    const n = counts === null ? undefined : (counts[i] ?? null);
    const times = (usd: number | null): number | null => (usd === null || n === undefined || n === null ? null : usd * n);
    const notes = [...f.notes];
    if (p.worst === null) notes.push(`model "${f.model}" has no price: its cost is unknown`);
    return {
      target: f.target.name,
      model: f.model,
      probes: f.probes,
      requestsPerHour: p.requestsPerHour,
      inputTokensPerRequest: p.inputTokens,
      maxTokensPerRequest: p.maxTokens,
      worstCaseUsdPerRequest: p.worst,
      expectedUsdPerRequest: p.expected,
      worstCaseUsdPerHour: perHour(p.worst),
      expectedUsdPerHour: perHour(p.expected),
      priced: p.worst !== null,
      run: n === undefined ? null : { requests: n, worstCaseUsd: times(p.worst), expectedUsd: times(p.expected) },
      notes,
    };
  });
  const pricedRows = rows.filter((r) => r.priced);
  const runTotal: DryRunRun | null =
    counts === null
      ? null
      : {
          requests: counts.some((c) => c === null) ? null : sum(counts.map((c) => c ?? 0)),
          worstCaseUsd: sumKnown(pricedRows.map((r) => r.run?.worstCaseUsd ?? null)),
          expectedUsd: sumKnown(pricedRows.map((r) => r.run?.expectedUsd ?? null)),
        };
  return {
    dryRun: true,
    plan: plan.kind,
    durationMs: opts.durationMs,
    requestLimit: opts.requests ?? null,
    rows,
    totals: {
      requestsPerHour: rows.some((r) => r.requestsPerHour === null) ? null : sum(rows.map((r) => r.requestsPerHour ?? 0)),
      worstCaseUsdPerHour: sumKnown(pricedRows.map((r) => r.worstCaseUsdPerHour)),
      expectedUsdPerHour: sumKnown(pricedRows.map((r) => r.expectedUsdPerHour)),
      unpricedRows: rows.length - pricedRows.length,
      run: runTotal,
    },
    assumptions: {
      expectedOutputFraction: EXPECTED_OUTPUT_FRACTION,
      worstCase: "every input token at the input price plus all of max_tokens at the output price, times the target's price multiplier",
      expected: `each reply uses ${EXPECTED_OUTPUT_FRACTION * 100}% of its max_tokens, billed at the output price`,
      inputTokens: 'prompt tokens counted locally (o200k tokenizer), with the chat template overhead',
    },
    notes: [
      ...(plan.kind === 'replay' && plan.loop ? ['--loop: the recording starts over when it ends'] : []),
      ...[unwrittenNote(opts.unwritten ?? [])].filter((n): n is string => n !== null),
    ],
  };
}
