import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { parseMangle, SWITCHES } from '../../../src/mock/faults.js';
import { describeMockOptions, parseMockFlags } from '../../../src/mock/flags.js';
import { resolveMockOptions, type MockOptions } from '../../../src/mock/options.js';

describe('misbehaviour flags', () => {
  it('turns each switch on and reads --mangle-tool-calls', () => {
    expect(
      parseMockFlags({
        decreasingUsage: true,
        omitTerminator: true,
        misorderEvents: true,
        swallowStreamErrors: true,
        ignoreMaxTokens: true,
        bufferStream: true,
        invalidJsonOutput: true,
        cacheReport: false,
        dropReasoning: true,
        htmlErrors: true,
        mangleToolCalls: ' Index ',
      }),
    ).toEqual({
      decreasingUsage: true,
      omitTerminator: true,
      misorderEvents: true,
      swallowStreamErrors: true,
      ignoreMaxTokens: true,
      bufferStream: true,
      invalidJsonOutput: true,
      noCacheReport: true,
      dropReasoning: true,
      htmlErrors: true,
      mangleToolCalls: 'index',
    });
    // commander's default for --no-cache-report is cacheReport: true, which means "not given".
    expect(parseMockFlags({ cacheReport: true })).toEqual({});
  });

  it('rejects a bad --mangle-tool-calls with a UsageError naming the choices', () => {
    for (const v of ['', 'ids', 'id,index']) {
      expect(() => parseMockFlags({ mangleToolCalls: v })).toThrow(UsageError);
      expect(() => parseMangle(v)).toThrow(/--mangle-tool-calls expects one of id, index, args, got/);
    }
  });

  it('rejects knobs of the wrong type given through the API', () => {
    expect(() => resolveMockOptions({ mangleToolCalls: 'everything' as MockOptions['mangleToolCalls'] })).toThrow(UsageError);
    expect(() => resolveMockOptions({ bufferStream: 'yes' as unknown as boolean })).toThrow(/bufferStream must be true or false/);
  });

  it('names every knob that is on in the startup line', () => {
    const all: Partial<MockOptions> = { mangleToolCalls: 'args' };
    for (const s of SWITCHES) all[s.key] = true;
    const line = describeMockOptions(resolveMockOptions(all));
    for (const s of SWITCHES) expect(line).toContain(s.shown);
    expect(line).toContain('tool-call args mangled');
    expect(describeMockOptions(resolveMockOptions({}))).toBe('relaymon mock: ttft 200ms, itl 20ms, 16 tokens, jitter off. Ctrl-C to stop.');
  });

  it('gives every switch a flag and a --help text', () => {
    expect(SWITCHES.map((s) => s.flag)).toEqual([
      '--decreasing-usage',
      '--omit-terminator',
      '--misorder-events',
      '--swallow-stream-errors',
      '--ignore-max-tokens',
      '--buffer-stream',
      '--invalid-json-output',
      '--no-cache-report',
      '--drop-reasoning',
      '--html-errors',
    ]);
    for (const s of SWITCHES) expect(s.help.length).toBeGreaterThan(20);
  });
});
