/**
 * One run of the conformance suite, as both `relaymon conform` and
 * `relaymon evaluate`'s conform phase send it: one spend guard, one client,
 * one SendState for every target, Ctrl-C stopping the rest (each later
 * request n/a "not sent: interrupted"), and the report of what was sent.
 */
import { performance } from 'node:perf_hooks';
import { RelayClient } from '../client/index.js';
import { summarise, type ConformReport, type ConformTarget } from '../conform/report.js';
import type { PriceTable } from '../pricing/table.js';
import { SpendGuard } from '../traffic/budget.js';
import type { SendState } from './conform-send.js';
import { onInterrupt } from './signals.js';

/** What the caller's sending gets: the shared state, guard and client. */
export interface SuiteSend {
  state: SendState;
  guard: SpendGuard;
  client: RelayClient;
}

export interface SuiteRun {
  report: ConformReport;
  state: SendState;
  guard: SpendGuard;
  interrupted: boolean;
}

/** Runs `send` (which returns the targets' rows) with the suite's shared state; the client is closed after it, at once on an interrupt. */
export async function runSuite(budgetUsd: number | null, prices: PriceTable, send: (s: SuiteSend) => Promise<ConformTarget[]>): Promise<SuiteRun> {
  const startedAt = new Date();
  const t0 = performance.now();
  const abort = new AbortController();
  const state: SendState = { stopped: null, sent: 0, answered: 0, refused: 0, refusedWhy: null, signal: abort.signal };
  let interrupted = false;
  const removeHandlers = onInterrupt(() => {
    interrupted = true;
    state.stopped = 'not sent: interrupted';
    abort.abort();
  });
  const guard = new SpendGuard(budgetUsd, prices);
  const client = new RelayClient(prices);
  let targets: ConformTarget[] = [];
  try {
    targets = await send({ state, guard, client });
  } finally {
    removeHandlers();
    await client.close({ force: interrupted });
  }
  const report: ConformReport = {
    command: 'conform',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    targets,
    summary: summarise(targets),
    spentUsd: guard.spentUsd(),
    budgetUsd: guard.budget,
  };
  return { report, state, guard, interrupted };
}
