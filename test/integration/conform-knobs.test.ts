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

/** Exactly the knob's check, once per protocol, in the order rows are printed. */
function expectedFails(check: ConformCheckName): string[] {
  return PROTOCOLS.map((p) => `${p} ${check}`);
}

describe('relaymon conform against relaymon mock', () => {
  it('the honest mock passes every check for all three protocols (exit 0)', async () => {
    const { code, rows, text } = await conformAgainst([]);
    expect(rows.filter((r) => r.status !== 'pass').map((r) => `${r.status} ${r.protocol} ${r.name}: ${r.evidence.got}`), text).toEqual([]);
    expect(rows).toHaveLength(CONFORM_CHECKS.length * PROTOCOLS.length);
    expect(code).toBe(0);
  }, 120_000);

  for (const [knob, check] of KNOBS) {
    it(`mock ${knob.join(' ')} fails ${check} in every protocol and nothing else (exit 1)`, async () => {
      const { code, rows, text } = await conformAgainst(knob);
      const failed = rows.filter((r) => r.status === 'fail').map((r) => `${r.protocol} ${r.name}`);
      expect(failed, text).toEqual(expectedFails(check));
      expect(code).toBe(1);
    }, 120_000);
  }
});
