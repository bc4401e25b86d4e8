/**
 * `relaymon conform`: the conformance suite (src/conform) against each
 * target, for each protocol it declares. Loads the context, prints the
 * worst-case cost, sends (run/conform-send.ts), judges, prints text or JSON,
 * writes JUnit, and returns the exit code (docs/contracts.md "Exit codes").
 */
import { EXIT, UsageError, type ExitCode } from '../core/errors.js';
import type { Protocol } from '../core/result.js';
import type { ResolvedTarget } from '../core/target.js';
import type { RelaymonConfig } from '../config/schema.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import { DEFAULT_KEY_HEADER, withVersionSegment } from '../config/targets.js';
import { getPreference } from '../config/preferences.js';
import { probeSpec } from '../traffic/probes.js';
import type { PriceTable } from '../pricing/table.js';
import { selectChecks, type ConformCheckName } from '../conform/checks.js';
import { defaultReasoningModel, planRequests, type PlannedRequest } from '../conform/plan.js';
import type { Observations } from '../conform/judge.js';
import { conformExitCode, targetRows, type ConformReport, type ConformTarget } from '../conform/report.js';
import { conformJunit, conformText } from '../export/conform-text.js';
import { budgetFrom, loadContext, pickTarget } from './context.js';
import { DEFAULT_PROBE_MODEL } from './defaults.js';
import { checkOutputPath, contextInputs, processIo, refuseClobbering, writeOutputFile, type Io } from './io.js';
import { writeConformReport } from './report-write.js';
import type { TargetFlagValues } from './flags.js';
import { sendPlan, type SendState } from './conform-send.js';
import { runSuite } from './conform-suite.js';
import { conformCost, dryRunText, overspendLine, worstCaseLine, type PlannedCost } from './conform-cost.js';

/** conform's flags, parsed by their declarations (cli/conform.ts). */
export interface ConformFlags extends Omit<TargetFlagValues, 'protocol' | 'target'> {
  /** --target, repeatable or comma-separated (default: all). */
  target?: string[];
  /** --protocol, repeatable or comma-separated: overrides each target's protocols. */
  protocol?: Protocol[];
  only: string[];
  skip: string[];
  json?: boolean;
  junit?: string;
  report?: string;
  budgetUsd?: number;
  dryRun?: boolean;
  model?: string;
  reasoningModel?: string;
  color: boolean;
}

interface TargetPlan {
  target: ResolvedTarget;
  protocols: Protocol[];
  perProtocol: { target: ResolvedTarget; requests: PlannedRequest[] }[];
}

/** The target as it speaks another protocol: the key header and Anthropic's version segment follow the protocol. */
function asProtocol(t: ResolvedTarget, p: Protocol): ResolvedTarget {
  if (p === t.protocol) return t;
  const header = t.apiKeyHeader === DEFAULT_KEY_HEADER[t.protocol] ? DEFAULT_KEY_HEADER[p] : t.apiKeyHeader;
  return { ...t, protocol: p, apiKeyHeader: header, baseUrl: p === 'anthropic' ? withVersionSegment(t.baseUrl) : t.baseUrl };
}

/** --model, else the config's probe for this target (its own protocol only), else the small default of the protocol. */
function modelFor(flags: ConformFlags, config: RelaymonConfig | null, t: ResolvedTarget, p: Protocol): string {
  if (flags.model !== undefined) return flags.model;
  if (p === t.protocol) {
    const probes = Object.values(config?.probes ?? {});
    const probe = probes.find((x) => x.targets?.includes(t.name)) ?? probes.find((x) => !x.targets);
    if (probe) return probeSpec(probe).model;
    const preferred = getPreference('defaultModel');
    if (preferred !== undefined) return preferred;
  }
  return DEFAULT_PROBE_MODEL[p];
}

/** --protocol for a config with targets goes to the suite, not to target resolution (which allows it for one target only). */
async function configDefinesTargets(flags: ConformFlags): Promise<boolean> {
  const path = findConfigFile({ cwd: process.cwd(), explicit: flags.config, env: process.env });
  if (path === null) return false;
  const config = await loadConfig(path);
  return Object.keys(config.targets ?? {}).length > 0;
}

export async function runConform(flags: ConformFlags): Promise<ExitCode> {
  const io = processIo({ color: flags.color !== false && getPreference('color') !== false });
  const checks = selectChecks(flags.only, flags.skip);
  const forSuite = flags.protocol !== undefined && (await configDefinesTargets(flags));
  const names = flags.target ?? [];
  const ctx = await loadContext(
    { ...flags, target: names.length === 1 ? names[0] : undefined, protocol: forSuite ? undefined : flags.protocol?.[0] },
    process.env,
    { use: names.length > 1 ? names : undefined },
  );
  const chosen = names.length > 1 ? names.map((n) => pickTarget(ctx.targets, n)) : ctx.targets;
  refuseClobbering(contextInputs(ctx, flags), [
    { flag: '--junit', path: flags.junit },
    { flag: '--report', path: flags.report },
  ]);
  checkOutputPath(flags.junit, '--junit');
  checkOutputPath(flags.report, '--report');
  if (chosen.length === 0) throw new UsageError('no target: pass --base-url, set OPENAI_BASE_URL, or add targets to a config file');

  const plans: TargetPlan[] = chosen.map((t) => {
    const protocols = [...new Set(flags.protocol ?? ctx.config?.targets?.[t.name]?.protocols ?? [t.protocol])];
    return {
      target: t,
      protocols,
      perProtocol: protocols.map((p) => {
        const target = asProtocol(t, p);
        const requests = planRequests({ protocol: p, model: modelFor(flags, ctx.config, t, p), reasoningModel: flags.reasoningModel ?? defaultReasoningModel(p), checks });
        return { target, requests };
      }),
    };
  });
  const costs: PlannedCost[] = plans.flatMap((p) => p.perProtocol.flatMap(({ target, requests }) => requests.map((r) => conformCost(ctx.prices, target, r))));
  if (flags.dryRun) {
    if (flags.json) io.out(JSON.stringify({ command: 'conform', dryRun: true, requests: costs, worstCaseUsd: costs.reduce((s, c) => s + (c.worstCaseUsd ?? 0), 0) }, null, 2) + '\n');
    else io.out(dryRunText(costs));
    return EXIT.ok;
  }
  const budgetUsd = budgetFrom(flags.budgetUsd, ctx.config);
  io.err(worstCaseLine(costs, budgetUsd));
  return await send(flags, io, { prices: ctx.prices, budgetUsd, worstCaseUsd: costs.reduce((s, c) => s + (c.worstCaseUsd ?? 0), 0) }, plans, checks);
}

async function send(
  flags: ConformFlags,
  io: Io,
  money: { prices: PriceTable; budgetUsd: number | null; worstCaseUsd: number },
  plans: readonly TargetPlan[],
  checks: readonly ConformCheckName[],
): Promise<ExitCode> {
  const { report, state, interrupted } = await runSuite(money.budgetUsd, money.prices, async ({ state, guard, client }) => {
    const targets: ConformTarget[] = [];
    await client.prepare([...new Set(plans.flatMap((p) => p.perProtocol.flatMap((x) => x.requests.flatMap((r) => (r.spec ? [r.spec.model] : [])))))]);
    for (const plan of plans) {
      const perProtocol: Observations[] = [];
      // One protocol at a time: the requests of one share the target's pool, and the timings stay those of the relay.
      for (const { target, requests } of plan.perProtocol) perProtocol.push(await sendPlan(client, target, requests, guard, state));
      targets.push({ name: plan.target.name, baseUrl: plan.target.baseUrl, protocols: plan.protocols, checks: targetRows(perProtocol, checks) });
    }
    return targets;
  });
  if (flags.json) io.out(JSON.stringify(report, null, 2) + '\n');
  else io.out(conformText(report, io.color));
  if (flags.junit !== undefined) writeOutputFile(flags.junit, conformJunit(report), '--junit');
  const over = overspendLine('conform', report, money.worstCaseUsd);
  if (over !== null) io.err(over);
  const code = conformEnd(report, state, interrupted, io);
  writeConformReport(flags.report, report, code);
  return code;
}

/** The exit code of a finished suite, and what explains it on stderr. */
function conformEnd(report: ConformReport, state: SendState, interrupted: boolean, io: Io): ExitCode {
  if (state.refused > 0 && !interrupted) {
    io.err(`conform: the spend guard refused ${state.refused} request${state.refused === 1 ? '' : 's'}: ${state.refusedWhy ?? 'the budget'}\n`);
  }
  if (interrupted) return EXIT.interrupted;
  if (state.sent === 0 && state.refused > 0) {
    io.err('conform: nothing was checked: the spend guard refused every request; exit 1\n');
    return EXIT.failed;
  }
  const code = conformExitCode(report, state);
  if (code === EXIT.unreachable) io.err('conform: unreachable: no request got an HTTP answer from any target; exit 3\n');
  return code;
}
