import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { CONFORM_CHECKS, selectChecks } from '../../../src/conform/checks.js';
import { CONFORM_FAULT_HEADER, MAX_TOKENS_LIMIT, planRequests } from '../../../src/conform/plan.js';
import { conformExitCode, summarise, targetRows, type ConformReport } from '../../../src/conform/report.js';
import { conformJunit, conformText } from '../../../src/export/conform-text.js';
import { registerSecret } from '../../../src/core/redact.js';

describe('--only / --skip', () => {
  it('select checks in list order; commas and repeats both work', () => {
    expect(selectChecks([], [])).toEqual([...CONFORM_CHECKS]);
    expect(selectChecks(['model_echo,usage_present'], [])).toEqual(['usage_present', 'model_echo']);
    expect(selectChecks([], ['error_shape', 'cache_reported,reasoning_passthrough'])).toEqual(CONFORM_CHECKS.filter((c) => !['error_shape', 'cache_reported', 'reasoning_passthrough'].includes(c)));
  });

  it('an unknown name is a usage error listing every check', () => {
    expect(() => selectChecks(['usage'], [])).toThrow(UsageError);
    expect(() => selectChecks([], ['usage_presnt'])).toThrow(/--skip: unknown check "usage_presnt"; the checks are: usage_present, usage_monotonic/);
    expect(() => selectChecks(['model_echo'], ['model_echo'])).toThrow(/leave no check/);
  });
});

describe('the request plan', () => {
  it('sends only what the selected checks read', () => {
    const names = (checks: Parameters<typeof planRequests>[0]['checks']) => planRequests({ protocol: 'openai', model: 'm', reasoningModel: 'r', checks }).map((r) => r.name);
    expect(names(['model_echo'])).toEqual(['stream', 'whole']);
    expect(names(['cache_reported'])).toEqual(['cache_first', 'cache_second']);
    expect(names(CONFORM_CHECKS)).toHaveLength(10);
  });

  it('each request says what it tests: the limit, the fault header, the probe kinds, the malformed body per protocol', () => {
    for (const protocol of ['openai', 'anthropic', 'openai-responses'] as const) {
      const plan = planRequests({ protocol, model: 'm', reasoningModel: 'r', checks: CONFORM_CHECKS });
      const by = Object.fromEntries(plan.map((r) => [r.name, r]));
      expect(by['max_tokens']!.spec!.maxTokens).toBe(MAX_TOKENS_LIMIT);
      expect(by['stream_error']!.headers).toEqual({ [CONFORM_FAULT_HEADER]: 'stream-error' });
      expect(by['tools']!.spec!.expect?.kind).toBe('tools');
      expect(by['json']!.spec!.responseSchema).toBeDefined();
      expect(by['cache_second']!.spec!.expect?.pair).toBe('second');
      expect(by['cache_second']!.after).toBe('cache_first');
      expect(by['reasoning']!.spec!.model).toBe('r');
      expect(by['whole']!.spec!.stream).toBe(false);
      expect(by['bad_request']!.spec).toBeNull();
      expect(by['bad_request']!.rawBody).toMatchObject({ model: 'm' });
    }
  });
});

describe('the report', () => {
  const rows = targetRows([{ protocol: 'openai', answers: {}, notSent: { stream: 'not sent: the budget', whole: 'not sent: the budget' } }], ['usage_present', 'model_echo']);
  const report: ConformReport = {
    command: 'conform',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1200,
    targets: [{ name: 'relay', baseUrl: 'http://127.0.0.1:1/v1', protocols: ['openai'], checks: [...rows, { name: 'error_shape', protocol: 'openai', status: 'fail', evidence: { requestId: 'req_9', expected: 'HTTP 4xx with a JSON error body', got: 'HTTP 200 <&>' } }] }],
    summary: { pass: 0, fail: 1, notApplicable: 2 },
    spentUsd: 0.0012,
    budgetUsd: null,
  };

  it('counts rows by status; exit 1 on a fail, 3 when nothing answered, else 0', () => {
    expect(summarise(report.targets)).toEqual({ pass: 0, fail: 1, notApplicable: 2 });
    expect(conformExitCode(report, { sent: 5, answered: 1 })).toBe(1);
    expect(conformExitCode(report, { sent: 5, answered: 0 })).toBe(3);
    expect(conformExitCode({ ...report, summary: { pass: 2, fail: 0, notApplicable: 0 } }, { sent: 5, answered: 5 })).toBe(0);
  });

  it('text: a row per check × protocol with evidence for failures and n/a, and a summary line', () => {
    const text = conformText(report, false);
    expect(text).toContain('  – openai            usage_present          not sent: the budget\n');
    expect(text).toContain('  ✗ openai            error_shape            expected HTTP 4xx with a JSON error body; got HTTP 200 <&> (request req_9)\n');
    expect(text.endsWith('summary: 0 pass, 1 fail, 2 n/a\n')).toBe(true);
  });

  it('JUnit: a failure per fail, skipped per n/a, escaped, secrets redacted', () => {
    registerSecret('sk-conform-junit-secret-0001');
    const leaky: ConformReport = { ...report, targets: [{ ...report.targets[0]!, baseUrl: 'http://127.0.0.1:1/v1?key=sk-conform-junit-secret-0001' }] };
    const xml = conformJunit(leaky);
    expect(xml).toContain('tests="3" failures="1" errors="0" skipped="2"');
    expect(xml).toContain('<skipped message="not sent: the budget"/>');
    expect(xml).toContain('got HTTP 200 &lt;&amp;&gt;');
    expect(xml).not.toContain('sk-conform-junit-secret-0001');
  });
});
