/**
 * The Prometheus registry behind `/metrics`, fed from engine snapshots on the
 * main thread: histograms and counters from each snapshot's batch of finished
 * RequestResults (the engine must run with `emitResults: true`), gauges from
 * its targets, saturation, alerts and window statistics. No I/O here: the
 * HTTP side is metrics-server.ts.
 */
import { billedCost, isUnfinished } from '../stats/summary.js';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { RequestResult } from '../core/result.js';
import type { ResolvedTarget } from '../core/target.js';
import type { EngineSnapshot } from '../engine/messages.js';
import { firingAlertsFor, targetHealth, HEALTH_WINDOW } from '../stats/target-health.js';
import { VERSION } from '../version.js';
import { cleanLabelValue, LabelBudget, providerName, serverAddress } from './prometheus-labels.js';
import { CATALOGUE_COUNTERS, createInstruments, type BaseLabels, type Instruments } from './prometheus-metrics.js';

export { METRIC, exportedSeriesNames, OTEL_DURATION_BUCKETS, OTEL_TOKEN_BUCKETS } from './prometheus-metrics.js';

const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface PrometheusExporterOptions {
  /** Node's process_* and nodejs_* metrics from prom-client (default true). */
  defaultMetrics?: boolean;
}

interface TargetLabels {
  relaymon_target: string;
  server_address: string;
  gen_ai_provider_name: string;
}

/** Cumulative snapshot figures turned into counter increments. */
class Cumulative {
  private last = new Map<string, number>();
  /** The increase since the previous reading; a reading below the last one (an engine reset) restarts from it. */
  delta(key: string, value: number): number {
    const prev = this.last.get(key) ?? 0;
    this.last.set(key, value);
    return value > prev ? value - prev : 0;
  }
}

export class PrometheusExporter {
  readonly registry = new Registry();
  private readonly m: Instruments;
  private readonly targets = new Map<string, TargetLabels>();
  private readonly models = new LabelBudget();
  private readonly cumulative = new Cumulative();

  constructor(targets: readonly ResolvedTarget[], opts: PrometheusExporterOptions = {}) {
    this.m = createInstruments(this.registry);
    if (opts.defaultMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges named *_total: promtool (rightly) refuses them, and they say nothing about a relay.
      for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
    }
    this.m.buildInfo.set({ version: cleanLabelValue(VERSION) }, 1);
    for (const t of targets) {
      const labels: TargetLabels = {
        relaymon_target: cleanLabelValue(t.name),
        server_address: serverAddress(t.baseUrl),
        gen_ai_provider_name: providerName(t.protocol),
      };
      this.targets.set(t.name, labels);
      // Present from the first scrape, so "no data" never reads as "ok".
      this.m.targetState.set(labels, 0);
      this.m.backoffs.inc({ relaymon_target: labels.relaymon_target }, 0);
    }
    for (const g of [this.m.sendLagP50, this.m.sendLagP99, this.m.sendLagMax, this.m.saturated, this.m.eventLoopDelayP99, this.m.inFlight]) g.set(0);
    for (const c of [this.m.lateSends, this.m.droppedSends, this.m.capWaits]) c.inc(0);
  }

  /** Everything one snapshot tells: its results, then the gauges. Call it for every snapshot, the final one too. */
  onSnapshot(s: EngineSnapshot): void {
    for (const r of s.results) this.observe(r);
    this.updateGauges(s);
  }

  observe(r: RequestResult): void {
    const base = this.baseLabels(r);
    const m = this.m;
    const failed = !r.ok;
    const withError = failed ? { ...base, error_type: r.errorType ?? '_OTHER' } : base;
    // The OTel duration histogram records every operation, error_type on failures (the GenAI conventions);
    // relaymon's own counters leave out what relaymon itself cut short (stats/summary.ts isUnfinished).
    m.duration.observe(withError, r.latencyMs / 1000);
    if (isUnfinished(r)) m.unfinished.inc(base);
    else m.requests.inc(withError);
    if (r.stream) {
      if (r.ttftMs !== null) m.timeToFirstChunk.observe(base, r.ttftMs / 1000);
      for (const gap of r.chunkGapsMs) m.timePerOutputChunk.observe(base, gap / 1000);
    }
    // A failure carries usage only when the relay reported it or the stream delivered tokens before it broke.
    if (r.ok || r.usageSource !== null) {
      if (r.inputTokens !== null) m.tokenUsage.observe({ ...base, gen_ai_token_type: 'input' }, r.inputTokens);
      if (r.outputTokens !== null) m.tokenUsage.observe({ ...base, gen_ai_token_type: 'output' }, r.outputTokens);
    }
    const cost = billedCost(r);
    if (cost !== null) m.cost.inc(base, Math.max(0, cost));
    else m.unpriced.inc(base);
    if (r.usageMismatch) m.usageMismatch.inc(base);
    if (r.modelMismatch) m.modelMismatch.inc(base);
    if (r.errorType === 'stream_truncated') m.streamTruncated.inc(base);
    for (const e of CATALOGUE_COUNTERS) {
      const v = e.scope === 'finished' && isUnfinished(r) ? 0 : e.read(r);
      if (v > 0) m.catalogue.get(e.name)?.inc(base, v);
    }
    this.observeHonesty(r, base);
    this.observeRateLimit(r);
  }

  /** Billing reconciliation, the relay's own cost, fingerprint changes and stream conformance (issue #7). */
  private observeHonesty(r: RequestResult, base: BaseLabels): void {
    const m = this.m;
    if (r.usageGapTokens !== null) {
      m.usageCompared.inc(base);
      if (r.localInputTokens !== null && r.inputTokens !== null) {
        m.billedTokens.inc({ ...base, gen_ai_token_type: 'input' }, r.inputTokens);
        m.countedTokens.inc({ ...base, gen_ai_token_type: 'input' }, r.localInputTokens);
      }
      if (r.localOutputTokens !== null && r.outputTokens !== null) {
        m.billedTokens.inc({ ...base, gen_ai_token_type: 'output' }, r.outputTokens);
        m.countedTokens.inc({ ...base, gen_ai_token_type: 'output' }, r.localOutputTokens);
      }
    }
    if (r.reportedCostUsd !== null) m.reportedCost.inc(base, Math.max(0, r.reportedCostUsd));
    if (r.fingerprintChanged) m.fingerprintChanges.inc(base);
    for (const kind of r.streamViolations) m.streamViolations.inc({ ...base, kind });
  }

  private baseLabels(r: RequestResult): BaseLabels {
    const t = this.targetLabels(r);
    const labels: BaseLabels = {
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: t.gen_ai_provider_name,
      gen_ai_request_model: this.models.admit(r.target, 'request', r.model),
      server_address: t.server_address,
      relaymon_target: t.relaymon_target,
    };
    // OTel "recommended": present only when the response named a model.
    if (r.responseModel !== null) labels.gen_ai_response_model = this.models.admit(r.target, 'response', r.responseModel);
    return labels;
  }

  /** A result from a target not given at start (not expected) still gets bounded labels. */
  private targetLabels(r: RequestResult): TargetLabels {
    const known = this.targets.get(r.target);
    if (known) return known;
    const labels: TargetLabels = { relaymon_target: cleanLabelValue(r.target), server_address: 'unknown', gen_ai_provider_name: providerName(r.protocol) };
    this.targets.set(r.target, labels);
    return labels;
  }

  private observeRateLimit(r: RequestResult): void {
    const target = this.targetLabels(r).relaymon_target;
    const rl = r.rateLimit;
    const pairs: [string, number | null, number | null][] = [
      ['requests', rl.requestsRemaining, rl.requestsLimit],
      ['tokens', rl.tokensRemaining, rl.tokensLimit],
    ];
    for (const [resource, remaining, limit] of pairs) {
      if (remaining !== null) this.m.rateLimitRemaining.set({ relaymon_target: target, resource }, remaining);
      if (limit !== null) this.m.rateLimitLimit.set({ relaymon_target: target, resource }, limit);
    }
  }

  private updateGauges(s: EngineSnapshot): void {
    const m = this.m;
    const sat = s.saturation;
    m.sendLagP50.set((sat.sendLagMs.p50 ?? 0) / 1000);
    m.sendLagP99.set((sat.sendLagMs.p99 ?? 0) / 1000);
    m.sendLagMax.set((sat.sendLagMs.max ?? 0) / 1000);
    m.lateSends.inc(this.cumulative.delta('late', sat.lateSends));
    m.droppedSends.inc(this.cumulative.delta('dropped', sat.dropped));
    m.capWaits.inc(this.cumulative.delta('capWaits', sat.capWaits));
    m.saturated.set(sat.saturated ? 1 : 0);
    m.eventLoopDelayP99.set(sat.eventLoopDelayP99Ms / 1000);
    m.inFlight.set(sat.inFlight);

    for (const a of s.alerts) {
      const name = cleanLabelValue(a.name);
      m.alertFiring.set({ relaymon_alert: name }, a.state === 'firing' ? 1 : 0);
    }

    const targetCount = Math.max(this.targets.size, s.targets.length);
    for (const info of s.targets) {
      const labels = this.targets.get(info.name);
      if (!labels) continue;
      m.backoffs.inc({ relaymon_target: labels.relaymon_target }, this.cumulative.delta(`backoffs\u0000${info.name}`, info.backoffs));
      // Periodic snapshots without window statistics (liveStats off) leave the last verdict standing.
      if (s.stats === null) continue;
      const cell = s.stats.targets.find((c) => c.target === info.name);
      const window = cell ? cell.windows[HEALTH_WINDOW] : null;
      // The run computes the health window whenever /metrics is on (run/pipeline.ts liveWindowsFor); were it left out, so is the verdict.
      if (window === undefined) continue;
      const state = targetHealth({
        window,
        firingAlerts: firingAlertsFor(info.name, s.alerts, targetCount),
        backingOff: info.backoffUntil !== null,
      });
      m.targetState.set(labels, state);
    }
  }

  /** The exposition text, as served at /metrics. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.registry.clear();
  }
}
