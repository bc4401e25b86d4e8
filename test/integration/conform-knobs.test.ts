/**
 * Each conform check both ways against `relaymon mock`: the honest mock
 * passes every check for all three protocols (exit 0), and each misbehaviour
 * knob fails exactly its own check, for every protocol, with exit 1.
 */
import { describe, expect, it } from 'vitest';
import { runCli, SENTINEL_KEY, startMockProcess } from '../helpers/cli.js';
import { expectNoSecret } from '../helpers/probe.js';
import { schemaErrors } from '../contracts/validate.js';
import { CONFORM_CHECKS, type ConformCheckName } from '../../src/conform/checks.js';

const PROTOCOLS = ['openai', 'anthropic', 'openai-responses'] as const;

interface Row {
  name: ConformCheckName;
  protocol: string;
  status: string;
  evidence: { got: string };
}

/** Fast first tokens; 24 tokens 20 ms apart, so an honest stream is spread over ~460 ms. */
const TIMING = ['--ttft', '20', '--itl', '20', '--tokens', '24'];

async function conformAgainst(knob: string[]): Promise<{ code: number | null; rows: Row[]; text: string }> {
  const mock = await startMockProcess([...TIMING, ...knob]);
  try {
    const res = await runCli(['conform', '--base-url', mock.url, '--protocol', PROTOCOLS.join(','), '--json'], {
      env: { OPENAI_API_KEY: SENTINEL_KEY, ANTHROPIC_API_KEY: SENTINEL_KEY },
      timeoutMs: 90_000,
    });
    expectNoSecret(res);
    const json = JSON.parse(res.stdout) as { targets: { checks: Row[] }[] };
    expect(schemaErrors('conform', json)).toEqual([]);
    const rows = json.targets[0]!.checks;
    return { code: res.code, rows, text: rows.map((r) => `${r.status} ${r.protocol} ${r.name}: ${r.evidence.got}`).join('\n') };
  } finally {
    await mock.stop();
  }
}

const KNOBS: [string[], ConformCheckName][] = [
  [['--drop-usage', '1'], 'usage_present'],
  [['--decreasing-usage'], 'usage_monotonic'],
  [['--serve-model', 'gpt-3.5-turbo'], 'model_echo'],
  [['--omit-terminator'], 'stream_terminated'],
  [['--misorder-events'], 'event_order'],
  [['--swallow-stream-errors'], 'error_in_stream'],
  [['--ignore-max-tokens'], 'max_tokens_honoured'],
  [['--buffer-stream'], 'streams_incrementally'],
  [['--mangle-tool-calls', 'id'], 'tool_call_deltas'],
  [['--mangle-tool-calls', 'index'], 'tool_call_deltas'],
  [['--mangle-tool-calls', 'args'], 'tool_call_deltas'],
  [['--invalid-json-output'], 'structured_output'],
  [['--no-cache-report'], 'cache_reported'],
  [['--drop-reasoning'], 'reasoning_passthrough'],
  [['--html-errors'], 'error_shape'],
];

/**
 * Where a knob does not yet show exactly as it should, because of another
 * part of relaymon, not of conform (each said in the issue-13 report):
 * - --decreasing-usage claims its early, higher count where the Anthropic and
 *   Responses decoders do not read one (message_start's output_tokens is
 *   read as a placeholder; response.in_progress carries no usage there), so
 *   the client never sees the count go down;
 * - --misorder-events holds the last OpenAI chunk back until after the
 *   finish chunk, which stream conformance allows (only data after [DONE]
 *   is out of order for Chat Completions);
 * - --mangle-tool-calls index also mangles the forced tool by which
 *   Anthropic answers structured output, so structured_output fails there too.
 * Listed here so the table stays exact: a fix elsewhere makes this test fail
 * until its line is removed.
 */
const GAPS: Record<string, { missing?: string[]; extra?: string[] }> = {
  '--decreasing-usage': { missing: ['anthropic usage_monotonic', 'openai-responses usage_monotonic'] },
  '--misorder-events': { missing: ['openai event_order'] },
  '--mangle-tool-calls index': { extra: ['anthropic structured_output'] },
};

function expectedFails(knob: string[], check: ConformCheckName): string[] {
  const gap = GAPS[knob.join(' ')] ?? {};
  const rows = PROTOCOLS.map((p) => `${p} ${check}`).filter((r) => !(gap.missing ?? []).includes(r));
  const order = (r: string): number => PROTOCOLS.indexOf(r.split(' ')[0] as (typeof PROTOCOLS)[number]) * 100 + CONFORM_CHECKS.indexOf(r.split(' ')[1] as ConformCheckName);
  return [...rows, ...(gap.extra ?? [])].sort((a, b) => order(a) - order(b));
}

describe('relaymon conform against relaymon mock', () => {
  it('the honest mock passes every check for all three protocols (exit 0)', async () => {
    const { code, rows, text } = await conformAgainst([]);
    expect(rows.filter((r) => r.status !== 'pass').map((r) => `${r.status} ${r.protocol} ${r.name}: ${r.evidence.got}`), text).toEqual([]);
    expect(rows).toHaveLength(CONFORM_CHECKS.length * PROTOCOLS.length);
    expect(code).toBe(0);
  }, 120_000);

  for (const [knob, check] of KNOBS) {
    it(`mock ${knob.join(' ')} fails ${check} in every protocol and nothing else (GAPS aside; exit 1)`, async () => {
      const { code, rows, text } = await conformAgainst(knob);
      const failed = rows.filter((r) => r.status === 'fail').map((r) => `${r.protocol} ${r.name}`);
      expect(failed, text).toEqual(expectedFails(knob, check));
      expect(code).toBe(1);
    }, 120_000);
  }
});
