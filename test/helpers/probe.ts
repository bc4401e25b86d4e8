import { expect } from 'vitest';
import { runCli, SENTINEL_KEY, type CliResult } from './cli.js';

export interface ProbeRequestJson {
  ok: boolean;
  httpStatus: number | null;
  errorType: string | null;
  timeoutPhase: string | null;
  errorMessage: string | null;
  model: string;
  responseModel: string | null;
  modelMismatch: boolean;
  systemFingerprint: string | null;
  stream: boolean;
  ttfbMs: number | null;
  ttftMs: number | null;
  ttftContentMs: number | null;
  latencyMs: number;
  itlMs: number | null;
  rateTokenSource: 'counted' | 'reported' | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
  usageSource: 'reported' | 'estimated' | null;
  costUsd: number | null;
  reportedCostUsd: number | null;
  outputTokensPerSecond: number | null;
  requestId: string | null;
  usageMismatch: boolean;
  localInputTokens: number | null;
  localOutputTokens: number | null;
  localCountKind: 'exact' | 'estimate' | null;
  localCountLimit: 'word' | 'size' | 'time' | null;
  usageGapTokens: number | null;
  usageGapRatio: number | null;
  costGapUsd: number | null;
  fingerprintChanged: boolean;
  streamViolations: string[];
  finishReason: string | null;
  checks: { name: string; ok: boolean; detail: string }[];
}

export interface ProbeJson {
  target: string;
  requests: ProbeRequestJson[];
  summary: Record<string, unknown> & { requests: number; errors: number; errorRate: number; errorTypes: Record<string, number> };
  thresholds: { expression: string; ok: boolean; value: number | null }[];
}

export interface ProbeRun extends CliResult {
  json: ProbeJson;
}

/** `relaymon probe --json` against a base URL, with the sentinel key, and the checks every run must pass. */
export async function probeJson(baseUrl: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<ProbeRun> {
  const res = await runCli(['probe', '--base-url', baseUrl, '--json', ...args], {
    env: { OPENAI_API_KEY: SENTINEL_KEY, ANTHROPIC_API_KEY: SENTINEL_KEY, ...env },
  });
  expectNoSecret(res);
  let json: ProbeJson;
  try {
    json = JSON.parse(res.stdout) as ProbeJson;
  } catch {
    throw new Error(`probe --json printed no JSON (exit ${res.code})\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
  }
  return { ...res, json };
}

export function expectNoSecret(res: CliResult, secret = SENTINEL_KEY): void {
  expect(res.stdout).not.toContain(secret);
  expect(res.stderr).not.toContain(secret);
  // Nor a recognisable part of it.
  expect(res.stdout + res.stderr).not.toContain(secret.slice(3, 20));
}
