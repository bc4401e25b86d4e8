/**
 * `relaymon evaluate --targets direct,relay[,relay2…]`: the migration
 * playbook in one budgeted run. The plan and its worst case first
 * (run/evaluate-plan.ts), then the phases (run/evaluate-phases.ts): model
 * lists, the conformance suite, the interleaved comparison; then a verdict
 * per candidate by the config's rules (src/evaluate), printed as text or
 * JSON, with --summary and --report. Exit 1 when a candidate is not_ready,
 * 3 when the reference gives no HTTP answer (docs/contracts.md).
 */
import { performance } from 'node:perf_hooks';
import { EXIT, type ExitCode } from '../core/errors.js';
import { DEFAULT_COMPARE_OPTIONS } from '../compare/options.js';
import { evaluateCandidate } from '../evaluate/candidate.js';
import type { ComparisonStop } from '../evaluate/rules.js';
import { evaluateText } from '../evaluate/text.js';
import { saturationJson } from '../export/run-summary-json.js';
import type { EvaluateOutput } from '../export/contracts/evaluate.js';
import { budgetStopMessage } from '../traffic/budget.js';
import { checkOutputPath, contextInputs, processIo, refuseClobbering, writeOutputFile, type Io } from './io.js';
import { dryRunJson, dryRunText, planEvaluate, worstCaseLine, type EvaluateFlags, type EvaluatePlan } from './evaluate-plan.js';
import { comparePhase, conformPhase, modelsPhase, type ComparePhase } from './evaluate-phases.js';
import { saturationMessage } from './outcome.js';
import { overspendLine } from './conform-cost.js';
import { evaluateReportSink } from './report-write.js';
import { takeEarlySignal } from './signals.js';

export type { EvaluateFlags };

export async function runEvaluate(flags: EvaluateFlags): Promise<ExitCode> {
  const io = processIo({ color: flags.color });
  checkOutputPath(flags.summary, '--summary');
  checkOutputPath(flags.log, '--log');
  const sink = evaluateReportSink(flags.report);
  const plan = await planEvaluate(flags);
  const ctx = plan.compare.ctx;
  const inputs = [...contextInputs(ctx, flags), ...(flags.mix === undefined ? [] : [{ path: flags.mix, label: `the mix file (--mix ${flags.mix})` }])];
  refuseClobbering(inputs, [
    { flag: '--summary', path: flags.summary },
    { flag: '--log', path: flags.log },
    { flag: '--report', path: flags.report },
  ]);
  if (flags.dryRun) {
    io.out(flags.json ? JSON.stringify(dryRunJson(plan), null, 2) + '\n' : dryRunText(plan));
    return EXIT.ok;
  }
  io.err(worstCaseLine(plan));
  return await evaluate(plan, flags, io, sink);
}

async function evaluate(plan: EvaluatePlan, flags: EvaluateFlags, io: Io, sink: ReturnType<typeof evaluateReportSink>): Promise<ExitCode> {
  const startedAt = new Date();
  const t0 = performance.now();
  const prices = plan.compare.ctx.prices;
  const all = [plan.reference, ...plan.candidates];

  // Ctrl-C while evaluate loaded: the model lists below are requests too, and nothing may be sent after it.
  if (takeEarlySignal() !== null) {
    io.err('evaluate: interrupted before anything was sent; no verdict\n');
    return EXIT.interrupted;
  }
  const models = await modelsPhase(all, prices);
  // Held while the lists were fetched (run/signals.ts): the conform suite would take it before sending anything.
  if (takeEarlySignal() !== null) {
    io.err('evaluate: interrupted during the model lists; no verdict\n');
    return EXIT.interrupted;
  }
  const refDown = models.unreachable.get(plan.reference.name);
  if (refDown !== undefined) {
    io.err(`evaluate: the reference ${plan.reference.name} gave no HTTP answer (${refDown}); nothing else was sent; exit 3\n`);
    return EXIT.unreachable;
  }
  for (const [name, why] of models.unreachable) io.err(`evaluate: ${name} gave no HTTP answer (${why}): not_ready, left out of the other phases\n`);
  const live = all.filter((t) => !models.unreachable.has(t.name));

  const conform = await conformPhase(plan, live, prices);
  if (conform?.refused) io.err(`evaluate: the spend guard refused ${conform.refused} conform request${conform.refused === 1 ? '' : 's'}: their checks are n/a\n`);
  if (conform?.interrupted) {
    io.err('evaluate: interrupted during the conform suite; no verdict\n');
    return EXIT.interrupted;
  }
  const spentBefore = conform?.spentUsd ?? 0;
  const left = plan.budgetUsd === null ? null : plan.budgetUsd - spentBefore;
  let compared: ComparePhase | null = null;
  if (left !== null && left <= 0) io.err('evaluate: the conform suite spent the whole budget: no comparison\n');
  else compared = await comparePhase(plan, live, left, flags, io, (s) => sink?.observe(s));
  const final = compared?.outcome.final ?? null;
  const interrupted = compared?.outcome.interrupted === true;
  // A comparison cut short is partial: each verdict says so (src/evaluate/rules.ts evidenceFindings).
  const stoppedBy: ComparisonStop['by'] | null = interrupted ? 'interrupt' : final?.stoppedBy === 'budget' ? 'budget' : null;
  const stopped: ComparisonStop | null = stoppedBy === null ? null : { by: stoppedBy, planned: plan.compare.requests ?? null };

  const options = { ...DEFAULT_COMPARE_OPTIONS, seed: plan.seed };
  const rowsOf = (name: string) => conform?.report.targets.find((t) => t.name === name)?.checks ?? [];
  const candidates = plan.candidates.map((t) =>
    evaluateCandidate(
      {
        target: t,
        reference: plan.reference,
        unreachable: models.unreachable.get(t.name) ?? null,
        models: models.models.get(t.name)!,
        referenceModels: models.models.get(plan.reference.name)!,
        neededModels: [...new Set([plan.modelOf.get(t.name)!, ...(plan.mix ?? []).map((m) => m.model)])],
        conform: conform === null ? null : { candidate: rowsOf(t.name), reference: rowsOf(plan.reference.name) },
        results: compared?.results ?? null,
        mix: plan.mix,
        prices,
        options,
        stopped,
      },
      plan.rules,
    ),
  );
  const json: EvaluateOutput = {
    command: 'evaluate',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    saturation: final === null ? null : saturationJson(final.saturation),
    stoppedBy: final?.stoppedBy ?? null,
    seed: plan.seed,
    reference: { name: plan.reference.name, baseUrl: plan.reference.baseUrl, protocol: plan.reference.protocol, models: models.models.get(plan.reference.name)! },
    rules: plan.rules,
    plan: { phases: plan.phases, requests: plan.requests, worstCaseUsd: plan.worstCaseUsd, budgetUsd: plan.budgetUsd },
    spentUsd: spentBefore + (final?.snapshot.spend.spentUsd ?? 0),
    candidates,
    conform: conform?.report ?? null,
    mix: plan.mix,
  };
  const exitCode: ExitCode = interrupted ? EXIT.interrupted : candidates.some((c) => c.verdict === 'not_ready') ? EXIT.failed : EXIT.ok;
  // Said before the verdicts (whose last line is the exit), in the user's terms: every phase's spend against the whole
  // budget, not the comparison's share of what the suite left.
  if (final?.stoppedBy === 'budget') {
    const spend = final.snapshot.spend;
    io.err(
      budgetStopMessage('evaluate', {
        spentUsd: json.spentUsd,
        unknownUsd: (conform?.unknownUsd ?? 0) + (spend.unknownUsd ?? 0),
        unknownRequests: (conform?.unknownRequests ?? 0) + (spend.unknownRequests ?? 0),
        budgetUsd: plan.budgetUsd,
        refusal: spend.refusal ?? null,
      }),
    );
  }
  // An answer is charged once it has arrived: a relay answering past max_tokens can take the spend past the budget (conform-cost.ts).
  const over = overspendLine('evaluate', { spentUsd: json.spentUsd, budgetUsd: plan.budgetUsd }, plan.worstCaseUsd ?? Number.POSITIVE_INFINITY);
  if (over !== null) io.err(over);
  const saturated = final === null ? null : saturationMessage('evaluate', final);
  if (saturated) io.err(saturated);
  io.out(flags.json ? JSON.stringify(json, null, 2) + '\n' : evaluateText(json, io.color, exitCode));
  if (flags.summary) writeOutputFile(flags.summary, JSON.stringify(json, null, 2) + '\n', '--summary');
  sink?.finish(json, live, exitCode);
  return exitCode;
}

