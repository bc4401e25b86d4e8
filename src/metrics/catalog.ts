/**
 * Every metric relaymon aggregates, declared once (grafana/k6
 * metrics/builtin.go declares a metric in one line: name, kind, unit). An
 * entry says how the metric is read from a RequestResult and where it shows:
 * the threshold grammar (name; the valid aggregations and units follow from
 * the kind, src/metrics/kinds.ts), the window store's columns
 * (src/stats/bucket.ts), the JSON summary and snapshot key, the text summary
 * label, the Prometheus series, the logfmt key and the terminal views.
 *
 * Adding a metric is adding an entry here; docs/architecture.md walks
 * through one. What is not a per-request number (error types, statuses, the
 * honesty reconciliation of src/stats/bucket.ts) is not in the catalogue.
 */
import type { RequestResult } from '../core/result.js';
import { KIND_AGGREGATIONS, kindUnit, METRIC_KINDS, type Aggregation, type AggregationName, type TimeStats, type ValueUnit } from './kinds.js';

/** Where an entry shows, beyond the window store (which keeps every entry). */
interface Shown<N extends string, K extends string, T extends boolean> {
  /** The name in thresholds and docs: `ttft`, `cost_per_hour`. */
  name: N;
  /** The key in the JSON summary, the window snapshot (WindowStats) and the terminal views' data. */
  key: K;
  /** Whether thresholds and alerts accept the metric. */
  threshold: T;
  /** One line for the docs table. */
  description: string;
  /** The description of the JSON summary field, where it differs from `description` (src/export/contracts/common.ts). */
  summaryHelp?: string;
  /** A trend in the `summary` object of --json (README.md "`probe --json`"), in catalogue order; every counter but `requests` is. */
  summary?: boolean;
  /** Row label in the end-of-run text table (src/export/check-text.ts); `hideZero` leaves the row out while every column is 0. */
  text?: { label: string; hideZero?: boolean };
  /** The series on /metrics: `register` ones are registered and fed from the catalogue (src/export/prometheus.ts). */
  prometheus?: { name: string; help: string; type: 'counter' | 'histogram'; register?: boolean };
  /** The keys of the `watch` plain line (src/export/logfmt.ts) taken from this metric. */
  logfmt?: readonly string[];
  /** Label in the detail view (src/ui/components/DetailView.tsx): a timing row for a trend, a word of the tokens line for a counter. */
  detail?: string;
  /** Shown in the dashboard panel (src/ui/components/TargetPanel.tsx). */
  panel?: boolean;
}

export interface TrendEntry<N extends string = string, K extends string = string, T extends boolean = boolean> extends Shown<N, K, T> {
  kind: 'trend';
  unit: 'ms' | 'tokens_per_second';
  /** One value per successful request (null: not measured), or several (`many`). */
  read: (r: RequestResult) => number | null;
  many?: (r: RequestResult) => readonly number[];
}

export interface CounterEntry<N extends string = string, K extends string = string, T extends boolean = boolean> extends Shown<N, K, T> {
  kind: 'counter';
  unit: 'count';
  /** What one request adds. `all`: every request counts, even one relaymon cut short (tokens were spent); `finished`: only finished ones. */
  read: (r: RequestResult) => number;
  scope: 'all' | 'finished';
}

export interface RatioEntry<N extends string = string, K extends string = string, T extends boolean = boolean> extends Shown<N, K, T> {
  kind: 'ratio';
  unit: 'count';
  /** A finished request that is a hit (only ever one that is also `of`). */
  hit: (r: RequestResult) => boolean;
  /** A finished request that could be a hit; its count is kept under `ofKey` (shared when another entry already counts it). */
  of: (r: RequestResult) => boolean;
  ofKey: string;
  /** What makes a count data (kinds.ts ratioValue). */
  countOver: 'finished' | 'of';
}

export interface SumEntry<N extends string = string, K extends string = string, T extends boolean = boolean> extends Shown<N, K, T> {
  kind: 'sum';
  unit: 'usd';
  /** What one request adds; null when it is unknown (counted in `unknownKey`). Every request counts. */
  read: (r: RequestResult) => number | null;
  unknownKey: string;
}

export interface GaugeEntry<N extends string = string, K extends string = string, T extends boolean = boolean> extends Shown<N, K, T> {
  kind: 'gauge';
  unit: 'usd_per_hour';
  /** The sum entry this is the rate of, per `perMs`. */
  of: string;
  perMs: number;
}

export type MetricEntry = TrendEntry | CounterEntry | RatioEntry | SumEntry | GaugeEntry;

// `summary` is kept as a literal type so that the Summary type can take its timing fields from the catalogue.
const trend = <const N extends string, const K extends string, const T extends boolean, const S extends boolean = false>(
  e: Omit<TrendEntry<N, K, T>, 'kind' | 'summary'> & { summary?: S },
): TrendEntry<N, K, T> & { summary?: S } => ({ kind: 'trend', ...e });
const counter = <const N extends string, const K extends string, const T extends boolean>(e: Omit<CounterEntry<N, K, T>, 'kind' | 'unit'>): CounterEntry<N, K, T> => ({ kind: 'counter', unit: 'count', ...e });
const ratio = <const N extends string, const K extends string, const T extends boolean>(e: Omit<RatioEntry<N, K, T>, 'kind' | 'unit'>): RatioEntry<N, K, T> => ({ kind: 'ratio', unit: 'count', ...e });
const sum = <const N extends string, const K extends string, const T extends boolean>(e: Omit<SumEntry<N, K, T>, 'kind' | 'unit'>): SumEntry<N, K, T> => ({ kind: 'sum', unit: 'usd', ...e });
const gauge = <const N extends string, const K extends string, const T extends boolean>(e: Omit<GaugeEntry<N, K, T>, 'kind' | 'unit'>): GaugeEntry<N, K, T> => ({ kind: 'gauge', unit: 'usd_per_hour', ...e });

/**
 * A request relaymon itself cut short: `cancelled` comes only from the
 * run's own abort (src/client/execute.ts onAbortSignal: the grace period of a
 * stop ran out, or a second Ctrl-C). It says nothing about the relay: not an
 * error, not a timing. A stream the relay stalled ends as `timeout` before that.
 */
export function isUnfinished(r: Pick<RequestResult, 'errorType'>): boolean {
  return r.errorType === 'cancelled';
}

/**
 * What a request adds to a cost total: its cost; 0 for a failure the relay
 * reported no usage for (nothing was billed, so it is not "unpriced"); null
 * when it was billed but has no price. The record's own costUsd stays null.
 */
export function billedCost(r: Pick<RequestResult, 'costUsd' | 'ok' | 'usageSource'>): number | null {
  if (r.costUsd !== null) return r.costUsd;
  return !r.ok && r.usageSource !== 'reported' ? 0 : null;
}

/**
 * A successful answer that came without the relay's usage (both its input and
 * its output count), streamed or not: its tokens and cost are relaymon's
 * labelled estimate (usageSource `estimated`), and a relay that leaves usage
 * out bills what the client cannot check.
 */
export function usageMissing(r: Pick<RequestResult, 'ok' | 'usageSource'>): boolean {
  return r.ok && r.usageSource !== 'reported';
}

const TIMING_NOTE = 'successful requests only';

/**
 * The catalogue. Order matters: it is the order of the JSON keys, the text
 * rows and the view rows that loop over it, and (grouped by kind) of the
 * metric names in threshold error messages.
 */
export const CATALOG = [
  trend({ name: 'latency', key: 'latencyMs', unit: 'ms', threshold: true, summary: true, detail: 'latency', panel: true, read: (r) => r.latencyMs, description: `send to end of response, ${TIMING_NOTE}`, logfmt: ['p50_ms', 'p95_ms'], prometheus: { name: 'gen_ai_client_operation_duration_seconds', type: 'histogram', help: 'GenAI operation duration: send to end of response (latencyMs), every request; error_type on failures.' } }),
  trend({ name: 'latency_scheduled', key: 'latencyScheduledMs', unit: 'ms', threshold: true, summary: true, detail: 'scheduled', read: (r) => r.latencyScheduledMs, description: `scheduled send to end of response (latency plus the wait to be sent), ${TIMING_NOTE}` }),
  trend({ name: 'ttfb', key: 'ttfbMs', unit: 'ms', threshold: true, summary: true, detail: 'ttfb', panel: true, read: (r) => r.ttfbMs, description: `send to the first response byte, ${TIMING_NOTE}` }),
  trend({ name: 'ttft', key: 'ttftMs', unit: 'ms', threshold: true, summary: true, detail: 'ttft', panel: true, read: (r) => r.ttftMs, description: `send to the first token-bearing chunk, ${TIMING_NOTE}`, logfmt: ['ttft_p95_ms'], prometheus: { name: 'gen_ai_client_operation_time_to_first_chunk_seconds', type: 'histogram', help: 'Send to the first token-bearing chunk (ttftMs), streamed requests only.' } }),
  trend({ name: 'ttft_content', key: 'ttftContentMs', unit: 'ms', threshold: true, summary: true, read: (r) => r.ttftContentMs, description: `send to the first visible content token, ${TIMING_NOTE}` }),
  trend({ name: 'itl', key: 'itlMs', unit: 'ms', threshold: true, summary: true, detail: 'itl', panel: true, read: (r) => r.itlMs, description: `inter-token latency, (latency − ttft) / (output tokens − 1), ${TIMING_NOTE}` }),
  trend({ name: 'chunk_gap', key: 'chunkGapMs', unit: 'ms', threshold: false, detail: 'chunk gap', read: () => null, many: (r) => r.chunkGapsMs, description: `gaps between token-bearing chunks, every gap of every request, ${TIMING_NOTE}`, prometheus: { name: 'gen_ai_client_operation_time_per_output_chunk_seconds', type: 'histogram', help: 'Gap between successive token-bearing chunks, one observation per chunk after the first, streamed requests only.' } }),
  trend({ name: 'tokens_per_s', key: 'outputTokensPerSecond', unit: 'tokens_per_second', threshold: true, summary: true, detail: 'tokens/s', panel: true, read: (r) => r.outputTokensPerSecond, description: `output tokens per second of generation, ${TIMING_NOTE}` }),
  ratio({ name: 'errors', key: 'errors', threshold: true, panel: true, hit: (r) => !r.ok, of: () => true, ofKey: 'requests', countOver: 'finished', description: 'failed requests among the finished ones', logfmt: ['err_pct'] }),
  ratio({ name: 'usage_mismatch', key: 'usageMismatches', threshold: true, hit: (r) => r.usageGapTokens !== null && r.usageMismatch, of: (r) => r.usageGapTokens !== null, ofKey: 'usageCompared', countOver: 'of', description: 'reported usage beyond tolerance of relaymon\'s own count, among the responses reconciled', prometheus: { name: 'relaymon_usage_mismatch_total', type: 'counter', help: 'Requests whose reported usage disagrees with relaymon\'s own count.' } }),
  ratio({ name: 'model_mismatch', key: 'modelMismatches', threshold: true, hit: (r) => r.responseModel !== null && r.modelMismatch, of: (r) => r.responseModel !== null, ofKey: 'namedModels', countOver: 'finished', description: 'answers naming another model than requested (aliases normalised), among those naming one', prometheus: { name: 'relaymon_model_mismatch_total', type: 'counter', help: 'Responses claiming a different model than requested (aliases normalised).' } }),
  counter({ name: 'requests', key: 'requests', threshold: true, scope: 'finished', read: () => 1, description: 'finished requests (successes and relay errors)', logfmt: ['rps'], prometheus: { name: 'relaymon_requests_total', type: 'counter', help: 'Finished requests; error_type on failures (closed vocabulary). Requests relaymon cut short when its run stopped are in relaymon_unfinished_requests_total instead.' } }),
  counter({ name: 'input_tokens', key: 'inputTokens', threshold: false, scope: 'all', text: { label: 'tokens in' }, detail: 'in', panel: true, read: (r) => r.inputTokens ?? 0, description: 'input tokens, as reported by the relay or estimated', summaryHelp: 'Sum over the requests that have a token count.', prometheus: { name: 'gen_ai_client_token_usage', type: 'histogram', help: 'Input and output tokens per request (reported by the relay, or estimated), by gen_ai_token_type.' } }),
  counter({ name: 'output_tokens', key: 'outputTokens', threshold: false, scope: 'all', text: { label: 'tokens out' }, detail: 'out', panel: true, read: (r) => r.outputTokens ?? 0, description: 'output tokens, as reported by the relay or estimated', summaryHelp: 'Sum over the requests that have a token count.' }),
  counter({ name: 'cached_input_tokens', key: 'cachedInputTokens', threshold: true, scope: 'all', text: { label: 'cached input tokens', hideZero: true }, detail: 'cached', read: (r) => r.cachedInputTokens ?? 0, description: 'input tokens the relay served from its prompt cache (usage: OpenAI prompt_tokens_details.cached_tokens, Anthropic cache_read_input_tokens)', prometheus: { name: 'relaymon_cached_input_tokens_total', type: 'counter', register: true, help: 'Input tokens the relay reported as read from its prompt cache (prompt_tokens_details.cached_tokens, cache_read_input_tokens).' } }),
  counter({ name: 'usage_missing', key: 'usageMissing', threshold: true, scope: 'finished', text: { label: 'usage missing', hideZero: true }, read: (r) => (usageMissing(r) ? 1 : 0), description: 'successful answers without the relay\'s usage (input and output count), streamed or not; their tokens and cost are relaymon\'s estimate', prometheus: { name: 'relaymon_usage_missing_total', type: 'counter', register: true, help: 'Successful answers, streamed or not, that came without the relay\'s usage (input and output token counts); their tokens and cost are estimated.' } }),
  sum({ name: 'cost', key: 'costUsd', threshold: true, summary: true, panel: true, read: billedCost, unknownKey: 'unpricedRequests', description: 'cost at list price times the target multiplier; unpriced requests left out', prometheus: { name: 'relaymon_cost_usd_total', type: 'counter', help: 'Cost of priced requests in USD, at list price times the target multiplier.' } }),
  gauge({ name: 'cost_per_hour', key: 'costPerHourUsd', threshold: true, panel: true, of: 'cost', perMs: 3_600_000, description: 'cost over the window\'s span, per hour', logfmt: ['cost_per_hour_usd'] }),
] as const;

type Entry = (typeof CATALOG)[number];

/** The metric names thresholds accept. */
export type MetricName = Extract<Entry, { threshold: true }>['name'];

/** The snapshot fields the window store fills from trend entries (latencyMs, …), and the ones the JSON summary has. */
export type TrendFields = { [K in Extract<Entry, { kind: 'trend' }>['key']]: TimeStats };
export type SummaryTrendFields = { [K in Extract<Entry, { kind: 'trend'; summary?: true }>['key']]: TimeStats };

/** The snapshot and summary fields the window store fills from counter entries (inputTokens, …). */
export type CounterKey = Extract<Entry, { kind: 'counter' }>['key'];
export type CounterFields = { [K in Exclude<CounterKey, 'requests'>]: number };

/** Every counter but `requests` (which leads the object) is in the JSON summary, in catalogue order. */
export type SummaryCounterFields = CounterFields;

export const ENTRIES: readonly MetricEntry[] = CATALOG;

export function entryOf(name: string): MetricEntry | undefined {
  return ENTRIES.find((e) => e.name === name);
}

/** The entries of one kind, in catalogue order. */
export function entriesOf<K extends MetricEntry['kind']>(kind: K): Extract<MetricEntry, { kind: K }>[] {
  return ENTRIES.filter((e): e is Extract<MetricEntry, { kind: K }> => e.kind === kind);
}

export const TRENDS: readonly TrendEntry[] = entriesOf('trend');
export const COUNTERS: readonly CounterEntry[] = entriesOf('counter');
export const RATIOS: readonly RatioEntry[] = entriesOf('ratio');
export const SUMS: readonly SumEntry[] = entriesOf('sum');

/** Threshold names grouped by kind (in METRIC_KINDS order), catalogue order within a kind. */
export const METRIC_NAMES = METRIC_KINDS.flatMap((k) => ENTRIES.filter((e) => e.kind === k && e.threshold).map((e) => e.name)) as readonly MetricName[];

export function metricEntry(name: MetricName): MetricEntry {
  const e = entryOf(name);
  if (!e) throw new Error(`no catalogue entry for ${name}`);
  return e;
}

export function isMetricName(s: string): s is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(s);
}

/** The valid threshold aggregations of each metric: its kind's. */
export const VALID_AGGREGATIONS = Object.fromEntries(METRIC_NAMES.map((m) => [m, KIND_AGGREGATIONS[metricEntry(m).kind]])) as Record<MetricName, readonly AggregationName[]>;

/** How aggregations are listed in messages: "avg, min, max, med, p(N)". */
export function describeAggregations(metric: MetricName): string {
  return VALID_AGGREGATIONS[metric].map((a) => (a === 'p' ? 'p(N)' : a)).join(', ');
}

/** The unit a threshold value and a query answer are in, for a valid metric × aggregation pair. */
export function valueUnit(metric: MetricName, aggregation: Aggregation): ValueUnit {
  const e = metricEntry(metric);
  return kindUnit(e.kind, e.unit, aggregation);
}
