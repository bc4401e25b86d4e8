import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProcess, type MockProcess } from '../helpers/cli.js';
import { probeJson, type ProbeRequestJson } from '../helpers/probe.js';

/**
 * Probe kinds against relaymon's own simulated relay, for all three
 * protocols: every check passes against the honest mock, and each
 * misbehaviour knob fails the check it is about (with the request still ok,
 * and probe's exit code 1).
 */
const KINDS = ['tools', 'json', 'cache', 'reasoning', 'long'] as const;
const PROTOCOLS = ['openai', 'anthropic', 'openai-responses'] as const;

let honest: MockProcess;
beforeAll(async () => {
  honest = await startMockProcess(['--ttft', '5', '--itl', '2', '--no-jitter']);
});
afterAll(async () => {
  await honest?.stop();
});

const failedOf = (rs: readonly ProbeRequestJson[]): string[] => rs.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`));

describe('the honest mock passes every check', () => {
  for (const protocol of PROTOCOLS) {
    it(`${protocol}: tools, json, cache, reasoning and long`, async () => {
      for (const kind of KINDS) {
        const { json, code } = await probeJson(honest.url, ['--protocol', protocol, '--kind', kind]);
        expect(json.requests.every((r) => r.ok), `${protocol} ${kind}`).toBe(true);
        expect(failedOf(json.requests), `${protocol} ${kind}`).toEqual([]);
        expect(json.requests.every((r) => r.checks.length > 0), `${protocol} ${kind}`).toBe(true);
        expect(code, `${protocol} ${kind}`).toBe(0);
      }
    }, 90_000);
  }
});

/** One misbehaving mock per case: its knob, the probe, and the one check it must fail. */
const CASES = [
  { knob: ['--mangle-tool-calls', 'id'], protocol: 'openai', kind: 'tools', check: 'tool_call_id_stable', detail: /^call 0 changed id from call_\S+ to call_\S+$/ },
  { knob: ['--mangle-tool-calls', 'id'], protocol: 'anthropic', kind: 'tools', check: 'tool_call_id_stable', detail: /^call 0 \(index 0\) has no id$/ },
  { knob: ['--mangle-tool-calls', 'index'], protocol: 'openai-responses', kind: 'tools', check: 'tool_call_index_consistent', detail: /^call id \S+ appears at index 0 and 1$|continues no call/ },
  { knob: ['--mangle-tool-calls', 'args'], protocol: 'openai', kind: 'tools', check: 'tool_args_json', detail: /^arguments of get_weather are not JSON: / },
  { knob: ['--invalid-json-output'], protocol: 'anthropic', kind: 'json', check: 'json_parses', detail: /is not JSON: / },
  { knob: ['--no-cache-report'], protocol: 'openai', kind: 'cache', check: 'cache_reported', detail: /^0 cached tokens of \d+ input tokens/ },
  { knob: ['--drop-reasoning'], protocol: 'openai-responses', kind: 'reasoning', check: 'reasoning_reported', detail: /^no reasoning tokens reported/ },
] as const;

describe('each misbehaviour fails its check', () => {
  for (const c of CASES) {
    it(`${c.knob.join(' ')} (${c.protocol}, --kind ${c.kind}) fails ${c.check}`, async () => {
      const mock = await startMockProcess(['--ttft', '5', '--itl', '2', '--no-jitter', ...c.knob]);
      try {
        const { json, code } = await probeJson(mock.url, ['--protocol', c.protocol, '--kind', c.kind]);
        expect(json.requests.every((r) => r.ok)).toBe(true);
        const failed = json.requests.flatMap((r) => r.checks.filter((k) => !k.ok));
        expect(failed.map((k) => k.name)).toContain(c.check);
        expect(failed.find((k) => k.name === c.check)!.detail).toMatch(c.detail);
        expect(code).toBe(1);
      } finally {
        await mock.stop();
      }
    });
  }
});
