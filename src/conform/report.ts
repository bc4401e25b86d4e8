/**
 * The conform report: rows per target × protocol × check, the summary and
 * the exit code (docs/contracts.md "conform --json"). Pure.
 */
import { EXIT, type ExitCode } from '../core/errors.js';
import type { Protocol } from '../core/result.js';
import type { ConformCheckName, ConformStatus } from './checks.js';
import { judge, type Evidence, type Observations } from './judge.js';

export interface ConformRow {
  name: ConformCheckName;
  protocol: Protocol;
  status: ConformStatus;
  evidence: Evidence;
}

export interface ConformTarget {
  name: string;
  baseUrl: string;
  protocols: Protocol[];
  checks: ConformRow[];
}

export interface ConformSummary {
  pass: number;
  fail: number;
  notApplicable: number;
}

export interface ConformReport {
  command: 'conform';
  startedAt: string;
  durationMs: number;
  targets: ConformTarget[];
  summary: ConformSummary;
  /**
   * What the suite's requests cost, as the spend guard booked them (traffic/budget.ts settle), and the budget.
   * The guard bounds what it sends by each request's worst case (all of max_tokens), but a relay that ignores
   * max_tokens is charged for its whole answer once it has arrived: spentUsd may pass budgetUsd, and says so.
   */
  spentUsd: number;
  budgetUsd: number | null;
}

/** The rows of one target: for each protocol (in order), each selected check (in list order). */
export function targetRows(perProtocol: readonly Observations[], checks: readonly ConformCheckName[]): ConformRow[] {
  return perProtocol.flatMap((obs) => checks.map((name) => ({ name, protocol: obs.protocol, ...judge(name, obs) })));
}

export function summarise(targets: readonly ConformTarget[]): ConformSummary {
  const rows = targets.flatMap((t) => t.checks);
  return {
    pass: rows.filter((r) => r.status === 'pass').length,
    fail: rows.filter((r) => r.status === 'fail').length,
    notApplicable: rows.filter((r) => r.status === 'n/a').length,
  };
}

/**
 * 3 when requests went out and not one got an HTTP answer from any target;
 * 1 on any fail; else 0 (an interrupt is the runner's to say).
 */
export function conformExitCode(report: ConformReport, facts: { sent: number; answered: number }): ExitCode {
  if (facts.sent > 0 && facts.answered === 0) return EXIT.unreachable;
  if (report.summary.fail > 0) return EXIT.failed;
  return EXIT.ok;
}
