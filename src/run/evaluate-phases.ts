/**
 * The sending phases of `relaymon evaluate`, each through the code of the
 * command it stands for: the model list through the client's listModels
 * (as `relaymon models`), the conformance suite through conform's sendPlan
 * and judges, and the comparison through the one run pipeline with every
 * probe to every target at the same instants (as `relaymon compare`). One
 * spend guard's booking carries over: the comparison gets what the suite
 * left of the budget.
 */
import { EXIT, RelaymonError } from '../core/errors.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RequestResult } from '../core/result.js';
import { targetRows, type ConformReport, type ConformTarget } from '../conform/report.js';
import { RelayClient } from '../client/index.js';
import type { ModelFacts } from '../evaluate/rules.js';
import type { EngineSnapshot } from '../engine/messages.js';
import type { PriceTable } from '../pricing/table.js';
import { sendPlan } from './conform-send.js';
import { runSuite } from './conform-suite.js';
import { runPipeline, type RunOutcome } from './pipeline.js';
import { priceFiles } from './context.js';
import type { Io } from './io.js';
import type { EvaluateFlags, EvaluatePlan } from './evaluate-plan.js';

export interface ModelsPhase {
  models: Map<string, ModelFacts>;
  /** Targets that gave no HTTP answer, with why. */
  unreachable: Map<string, string>;
}

/** GET /models of every target: free, and it tells reachability (an HTTP error is an answer) from the model list. */
export async function modelsPhase(targets: readonly ResolvedTarget[], prices: PriceTable): Promise<ModelsPhase> {
  const client = new RelayClient(prices);
  const models = new Map<string, ModelFacts>();
  const unreachable = new Map<string, string>();
  try {
    await Promise.all(
      targets.map(async (t) => {
        try {
          models.set(t.name, { listed: await client.listModels(t), error: null });
        } catch (err) {
          const message = err instanceof Error ? err.message.replace(`${t.name}: `, '') : String(err);
          if (err instanceof RelaymonError && err.exitCode === EXIT.unreachable) unreachable.set(t.name, message);
          models.set(t.name, { listed: null, error: message });
        }
      }),
    );
  } finally {
    await client.close();
  }
  return { models, unreachable };
}

export interface ConformPhase {
  report: ConformReport;
  spentUsd: number;
  /** The part of spentUsd held at the worst case for failed requests of unknown cost (traffic/budget.ts bookedCost). */
  unknownUsd: number;
  unknownRequests: number;
  refused: number;
  interrupted: boolean;
}

/** The suite on each target in turn (one at a time, as conform does: the timings stay the relay's). */
export async function conformPhase(plan: EvaluatePlan, targets: readonly ResolvedTarget[], prices: PriceTable): Promise<ConformPhase | null> {
  if (plan.checks === null) return null;
  const checks = plan.checks;
  const { report, state, guard, interrupted } = await runSuite(plan.budgetUsd, prices, async ({ state, guard, client }) => {
    const rows: ConformTarget[] = [];
    const names = new Set(targets.map((t) => t.name));
    const planned = plan.conform.filter((p) => names.has(p.target.name));
    await client.prepare([...new Set(planned.flatMap((p) => p.requests.flatMap((r) => (r.spec ? [r.spec.model] : []))))]);
    for (const p of planned) {
      const obs = await sendPlan(client, p.target, p.requests, guard, state);
      rows.push({ name: p.target.name, baseUrl: p.target.baseUrl, protocols: [p.target.protocol], checks: targetRows([obs], checks) });
    }
    return rows;
  });
  return { report, spentUsd: guard.spentUsd(), unknownUsd: guard.unknownUsd(), unknownRequests: guard.unknownRequests, refused: state.refused, interrupted };
}

export interface ComparePhase {
  outcome: RunOutcome;
  results: RequestResult[];
}

/** Every probe to every target still in the running, through the run pipeline; `budgetUsd`: what the earlier phases left. */
export async function comparePhase(
  plan: EvaluatePlan,
  targets: readonly ResolvedTarget[],
  budgetUsd: number | null,
  flags: EvaluateFlags,
  io: Io,
  onSnapshot: (s: EngineSnapshot) => void,
): Promise<ComparePhase> {
  const names = new Set(targets.map((t) => t.name));
  const run = plan.compare;
  const streams = run.plan.kind === 'probes' ? run.plan.streams.filter((s) => names.has(s.target)) : [];
  const results: RequestResult[] = [];
  const outcome = await runPipeline(
    {
      targets: run.targets.filter((t) => names.has(t.name)),
      priceFiles: priceFiles(run.ctx.config, flags.prices),
      plan: { kind: 'probes', streams },
      stopAfter: { durationMs: run.durationMs, requests: run.requests },
      log: flags.log ? { path: flags.log, logBodies: flags.logBodies } : null,
      thresholds: [],
      budgetUsd,
      alerts: [],
    },
    io,
    {
      command: 'evaluate',
      emitResults: true,
      onSnapshot: (s) => {
        results.push(...s.results);
        onSnapshot(s);
      },
    },
  );
  // The final snapshot's results never reach onSnapshot (run/pipeline.ts).
  results.push(...outcome.final.snapshot.results);
  onSnapshot(outcome.final.snapshot);
  return { outcome, results };
}
