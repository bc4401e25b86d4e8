/**
 * The metric names, labels and buckets of the Prometheus export: a public
 * contract, listed in the README table ("Prometheus and Grafana"); the
 * dashboard and alert rules in dashboards/ may use only these.
 *
 * The gen_ai_* histograms are the OpenTelemetry GenAI client metrics as an
 * OTel → Prometheus exporter spells them (dots become underscores, the unit
 * `s` becomes `_seconds`, `{token}` adds nothing), with the bucket
 * boundaries the semantic conventions advise. Our own series start with
 * `relaymon_`; counters end in `_total`.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { COUNTERS, entryOf, type CounterEntry } from '../metrics/catalog.js';

/** The Prometheus name and help the catalogue (src/metrics/catalog.ts) gives a metric. */
function fromCatalogue(metric: string): { name: string; help: string } {
  const p = entryOf(metric)?.prometheus;
  if (!p) throw new Error(`the catalogue gives ${metric} no Prometheus series`);
  return p;
}

/** Counters the catalogue registers itself: one series per entry, BASE_LABELS, fed in src/export/prometheus.ts. */
export const CATALOGUE_COUNTERS: readonly (CounterEntry & { prometheus: { name: string; help: string } })[] = COUNTERS.filter(
  (e): e is CounterEntry & { prometheus: { name: string; help: string; type: 'counter'; register: true } } => e.prometheus?.register === true,
);

/** OTel advisory boundaries for gen_ai.client.operation.duration, .time_to_first_chunk and .time_per_output_chunk (s). */
export const OTEL_DURATION_BUCKETS: readonly number[] = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** OTel advisory boundaries for gen_ai.client.token.usage: powers of 4 from 1 to 4^13. */
export const OTEL_TOKEN_BUCKETS: readonly number[] = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** Labels of every per-request series. */
export const BASE_LABELS = [
  'gen_ai_operation_name',
  'gen_ai_provider_name',
  'gen_ai_request_model',
  'gen_ai_response_model',
  'server_address',
  'relaymon_target',
] as const;
export type BaseLabel = (typeof BASE_LABELS)[number];
export type BaseLabels = Partial<Record<BaseLabel, string>>;
const WITH_ERROR = [...BASE_LABELS, 'error_type'] as const;
const TARGET_LABELS = ['relaymon_target', 'server_address', 'gen_ai_provider_name'] as const;

export const METRIC = {
  duration: fromCatalogue('latency').name,
  timeToFirstChunk: fromCatalogue('ttft').name,
  timePerOutputChunk: fromCatalogue('chunk_gap').name,
  tokenUsage: fromCatalogue('input_tokens').name,
  requests: fromCatalogue('requests').name,
  cost: fromCatalogue('cost').name,
  unpriced: 'relaymon_unpriced_requests_total',
  unfinished: 'relaymon_unfinished_requests_total',
  usageMismatch: fromCatalogue('usage_mismatch').name,
  modelMismatch: fromCatalogue('model_mismatch').name,
  streamTruncated: 'relaymon_stream_truncated_total',
  usageCompared: 'relaymon_usage_compared_total',
  billedTokens: 'relaymon_usage_billed_tokens_total',
  countedTokens: 'relaymon_usage_counted_tokens_total',
  reportedCost: 'relaymon_reported_cost_usd_total',
  fingerprintChanges: 'relaymon_fingerprint_changes_total',
  streamViolations: 'relaymon_stream_violations_total',
  targetState: 'relaymon_target_state',
  rateLimitRemaining: 'relaymon_rate_limit_remaining',
  rateLimitLimit: 'relaymon_rate_limit_limit',
  backoffs: 'relaymon_rate_limit_backoffs_total',
  sendLagP50: 'relaymon_scheduler_send_lag_p50_seconds',
  sendLagP99: 'relaymon_scheduler_send_lag_p99_seconds',
  sendLagMax: 'relaymon_scheduler_send_lag_max_seconds',
  lateSends: 'relaymon_scheduler_late_sends_total',
  droppedSends: 'relaymon_scheduler_dropped_sends_total',
  capWaits: 'relaymon_scheduler_cap_waits_total',
  saturated: 'relaymon_client_saturated',
  eventLoopDelayP99: 'relaymon_client_event_loop_delay_p99_seconds',
  inFlight: 'relaymon_client_in_flight_requests',
  alertFiring: 'relaymon_alert_firing',
  buildInfo: 'relaymon_build_info',
  // The catalogue's own counters (cachedInputTokens …), by JSON key.
  ...Object.fromEntries(CATALOGUE_COUNTERS.map((e) => [e.key, e.prometheus.name])),
};

/** Every series name the export can produce, histograms with their _bucket/_sum/_count. */
export function exportedSeriesNames(): string[] {
  const histograms: string[] = [METRIC.duration, METRIC.timeToFirstChunk, METRIC.timePerOutputChunk, METRIC.tokenUsage];
  const out: string[] = [];
  for (const name of Object.values(METRIC)) {
    if (histograms.includes(name)) out.push(`${name}_bucket`, `${name}_sum`, `${name}_count`);
    else out.push(name);
  }
  return out;
}

/** The instruments, registered on one registry. */
export function createInstruments(registry: Registry) {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]) =>
    new Histogram<L>({ name, help, labelNames, buckets: [...buckets], registers });

  return {
    duration: histogram(METRIC.duration, fromCatalogue('latency').help, WITH_ERROR, OTEL_DURATION_BUCKETS),
    timeToFirstChunk: histogram(METRIC.timeToFirstChunk, fromCatalogue('ttft').help, BASE_LABELS, OTEL_DURATION_BUCKETS),
    timePerOutputChunk: histogram(METRIC.timePerOutputChunk, fromCatalogue('chunk_gap').help, BASE_LABELS, OTEL_DURATION_BUCKETS),
    tokenUsage: histogram(METRIC.tokenUsage, fromCatalogue('input_tokens').help, [...BASE_LABELS, 'gen_ai_token_type'], OTEL_TOKEN_BUCKETS),
    requests: counter(METRIC.requests, fromCatalogue('requests').help, WITH_ERROR),
    unfinished: counter(METRIC.unfinished, 'Requests relaymon itself cut short when its run stopped (the grace period ran out): neither relay errors nor timings.', BASE_LABELS),
    cost: counter(METRIC.cost, fromCatalogue('cost').help, BASE_LABELS),
    unpriced: counter(METRIC.unpriced, 'Requests whose cost is unknown (model without a price, or no usage to price).', BASE_LABELS),
    usageMismatch: counter(METRIC.usageMismatch, fromCatalogue('usage_mismatch').help, BASE_LABELS),
    modelMismatch: counter(METRIC.modelMismatch, fromCatalogue('model_mismatch').help, BASE_LABELS),
    streamTruncated: counter(METRIC.streamTruncated, 'Streams that ended without their terminator.', BASE_LABELS),
    usageCompared: counter(METRIC.usageCompared, 'Responses whose reported usage was reconciled against relaymon\'s own count (the denominator of the mismatch rate).', BASE_LABELS),
    billedTokens: counter(METRIC.billedTokens, 'Tokens the relay reported on reconciled responses, by gen_ai_token_type; against relaymon_usage_counted_tokens_total it gives the billing gap.', [...BASE_LABELS, 'gen_ai_token_type']),
    countedTokens: counter(METRIC.countedTokens, 'Tokens relaymon counted itself on the same responses, by gen_ai_token_type.', [...BASE_LABELS, 'gen_ai_token_type']),
    reportedCost: counter(METRIC.reportedCost, 'Cost in USD the relay itself reported (usage.cost, x-litellm-response-cost), where it did.', BASE_LABELS),
    fingerprintChanges: counter(METRIC.fingerprintChanges, 'Responses whose system_fingerprint differs from the previous one for the same target and model.', BASE_LABELS),
    streamViolations: counter(METRIC.streamViolations, 'Streams that broke the protocol, by kind: usage_missing, out_of_order, unterminated, usage_decreased.', [...BASE_LABELS, 'kind']),
    targetState: gauge(METRIC.targetState, 'Target state over the last minute: 0 ok, 1 degraded, 2 down.', TARGET_LABELS),
    rateLimitRemaining: gauge(METRIC.rateLimitRemaining, 'Rate-limit headroom the relay last advertised (x-ratelimit-remaining-*), by resource.', ['relaymon_target', 'resource']),
    rateLimitLimit: gauge(METRIC.rateLimitLimit, 'Rate limit the relay last advertised (x-ratelimit-limit-*), by resource.', ['relaymon_target', 'resource']),
    backoffs: counter(METRIC.backoffs, '429 back-offs honoured.', ['relaymon_target']),
    sendLagP50: gauge(METRIC.sendLagP50, 'Median lateness of sends (actual minus scheduled) over the run.', []),
    sendLagP99: gauge(METRIC.sendLagP99, '99th percentile lateness of sends over the run.', []),
    sendLagMax: gauge(METRIC.sendLagMax, 'Largest lateness of a send over the run.', []),
    lateSends: counter(METRIC.lateSends, 'Sends more than 5 ms later than scheduled.', []),
    droppedSends: counter(METRIC.droppedSends, 'Scheduled sends dropped because the hold-back queue was full.', []),
    capWaits: counter(METRIC.capWaits, 'Sends held back by a full per-target concurrency cap.', []),
    saturated: gauge(METRIC.saturated, '1 while the client itself is saturated (its numbers understate the relay), else 0.', []),
    eventLoopDelayP99: gauge(METRIC.eventLoopDelayP99, 'Event-loop delay p99 in the measuring thread over the last tick.', []),
    inFlight: gauge(METRIC.inFlight, 'Requests in flight.', []),
    alertFiring: gauge(METRIC.alertFiring, '1 while a configured alert is firing, else 0.', ['relaymon_alert']),
    buildInfo: gauge(METRIC.buildInfo, 'Always 1; the relaymon version as a label.', ['version']),
    // Last, so the series above keep their order on /metrics.
    catalogue: new Map(CATALOGUE_COUNTERS.map((e) => [e.name, counter(e.prometheus.name, e.prometheus.help, BASE_LABELS)])),
  };
}

export type Instruments = ReturnType<typeof createInstruments>;
