import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import {
  METRIC_NAMES,
  ThresholdParseError,
  parseThreshold,
  parseThresholdMap,
} from '../../../src/stats/thresholds.js';

function parseError(text: string): ThresholdParseError {
  try {
    parseThreshold(text);
  } catch (err) {
    if (err instanceof ThresholdParseError) return err;
    throw err;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

function mapError(map: unknown, source?: string): Error {
  try {
    parseThresholdMap(map, source);
  } catch (err) {
    if (err instanceof Error) return err;
    throw err;
  }
  throw new Error('expected the map to be rejected');
}

describe('parseThreshold: shape', () => {
  it('parses the CLI form into its parts', () => {
    expect(parseThreshold('latency{target:relay}:p(99)<2000')).toEqual({
      expression: 'latency{target:relay}:p(99)<2000',
      metric: 'latency',
      tags: { target: 'relay' },
      aggregation: { kind: 'p', p: 99 },
      op: '<',
      value: 2000,
      abortOnFail: false,
      delayAbortEvalMs: 0,
    });
  });

  it('keeps decimal percentiles', () => {
    const t = parseThreshold('ttft:p(99.9)<1s');
    expect(t.aggregation).toEqual({ kind: 'p', p: 99.9 });
    expect(t.value).toBe(1000);
    expect(parseThreshold('ttft:p(100)<1').aggregation).toEqual({ kind: 'p', p: 100 });
    expect(parseThreshold('ttft:p(0.1)<1').aggregation).toEqual({ kind: 'p', p: 0.1 });
  });

  it('tolerates whitespace around tokens and canonicalises the expression', () => {
    const t = parseThreshold('  ttft { target : relay , model : "gpt 4o" } : p( 95 ) <= 800 ms  ');
    expect(t.expression).toBe('ttft{target:relay,model:"gpt 4o"}:p(95)<=800ms');
    expect(t.tags).toEqual({ target: 'relay', model: 'gpt 4o' });
    expect(t.op).toBe('<=');
    expect(t.value).toBe(800);
  });

  it('reads every operator, two-character ones whole', () => {
    for (const op of ['<', '<=', '>', '>=', '==', '!='] as const) {
      const t = parseThreshold(`errors:count${op}3`);
      expect(t.op).toBe(op);
      expect(t.value).toBe(3);
    }
  });

  it('reads several tags, values with colons and slashes, and quoted values', () => {
    expect(parseThreshold('latency{target:relay,model:gpt-4o,probe:chat-small}:avg<1').tags).toEqual({
      target: 'relay',
      model: 'gpt-4o',
      probe: 'chat-small',
    });
    expect(parseThreshold('ttft{model:llama3:8b}:med<1').tags).toEqual({ model: 'llama3:8b' });
    expect(parseThreshold('ttft{model:openai/gpt-4o}:med<1').tags).toEqual({ model: 'openai/gpt-4o' });
    expect(parseThreshold('ttft{model:"a,b}"}:med<1').tags).toEqual({ model: 'a,b}' });
    expect(parseThreshold('ttft{probe:"say \\"hi\\""}:med<1').tags).toEqual({ probe: 'say "hi"' });
  });
});

describe('parseThreshold: units', () => {
  const cases: [string, number][] = [
    ['ttft:p(95)<800', 800],
    ['ttft:p(95)<800ms', 800],
    ['ttft:p(95)<1.5s', 1500],
    ['ttft:p(95)<.5s', 500],
    ['ttft:p(95)<1 s', 1000],
    ['latency:max<2m', 120_000],
    ['latency_scheduled:avg<1h', 3_600_000],
    ['itl:p(50)<12.5', 12.5],
    ['tokens_per_s:p(50)>40', 40],
    ['tokens_per_s:min>40/s', 40],
    ['errors:rate<0.01', 0.01],
    ['errors:rate<1%', 0.01],
    ['model_mismatch:rate<0.5%', 0.005],
    ['usage_mismatch:rate<=100%', 1],
    ['errors:rate<=1', 1],
    ['errors:count<=3', 3],
    ['requests:count>=10', 10],
    ['requests:rate>5', 5],
    ['requests:rate>5/s', 5],
    ['requests:rate>300/m', 5],
    ['requests:rate>3600/h', 1],
    ['cost:sum<0.50', 0.5],
    ['cost:sum<$0.50', 0.5],
    ['cost_per_hour:value<2', 2],
    ['cost_per_hour:value<$2/h', 2],
  ];
  it.each(cases)('%s → %d', (text, value) => {
    expect(parseThreshold(text).value).toBeCloseTo(value, 12);
  });

  it('keeps the units as written in the expression', () => {
    expect(parseThreshold('cost:sum < $0.50').expression).toBe('cost:sum<$0.50');
    expect(parseThreshold('errors:rate<1%').expression).toBe('errors:rate<1%');
    expect(parseThreshold('requests:rate>300/m').expression).toBe('requests:rate>300/m');
  });
});

describe('parseThreshold: errors point at the offending character', () => {
  it('prints the expression and a caret under the bad operator', () => {
    const e = parseError('ttft:p(95)~800');
    expect(e.message).toBe(
      'invalid threshold: expected an operator (<, <=, >, >=, ==, !=)\n' + '  ttft:p(95)~800\n' + '            ^',
    );
    expect(e.column).toBe(10);
    expect(e).toBeInstanceOf(UsageError);
    expect(e.exitCode).toBe(2);
  });

  it('names the valid aggregations for the metric', () => {
    expect(parseError('ttft:rate<1').message).toBe(
      'invalid threshold: aggregation rate is not valid for ttft (valid: avg, min, max, med, p(N))\n' +
        '  ttft:rate<1\n' +
        '       ^',
    );
  });

  it('rejects a unit that does not fit the metric', () => {
    expect(parseError('errors:rate<5ms').message).toBe(
      'invalid threshold: unit ms does not fit errors:rate (expected a fraction or a percent, as in 0.01 or 1%)\n' +
        '  errors:rate<5ms\n' +
        '               ^',
    );
  });

  it('rejects the empty string at column 0', () => {
    const e = parseError('');
    expect(e.column).toBe(0);
    expect(e.message).toBe(
      'invalid threshold: expected a metric name (latency, latency_scheduled, ttfb, ttft, ttft_content, itl, tokens_per_s, errors, usage_mismatch, model_mismatch, requests, cached_input_tokens, usage_missing, cost, cost_per_hour)\n' +
        '  \n' +
        '  ^',
    );
  });

  const cases: [string, string, number, string][] = [
    ['missing operator', 'ttft:p(95)800', 10, 'expected an operator'],
    ['nothing after operator', 'ttft:p(95)<', 11, 'expected a number'],
    ['bad number', 'ttft:p(95)<abc', 11, 'expected a number'],
    ['negative number', 'ttft:p(95)<-5', 11, 'expected a number'],
    ['unclosed p(', 'ttft:p(95<800', 9, 'expected ) to close p('],
    ['p without (', 'ttft:p<800', 6, 'expected ( after p'],
    ['p( without number', 'ttft:p()<800', 7, 'expected a percentile'],
    ['p(0)', 'ttft:p(0)<800', 7, 'a percentile must be above 0 and at most 100'],
    ['p(101)', 'ttft:p(101)<800', 7, 'a percentile must be above 0 and at most 100'],
    ['p95 without parentheses', 'ttft:p95<800', 5, 'unknown aggregation "p95" (valid for ttft: avg, min, max, med, p(N)); write p(95)'],
    ['unknown aggregation', 'ttft:mean<800', 5, 'unknown aggregation "mean"'],
    ['no aggregation', 'ttft:', 5, 'expected an aggregation (valid for ttft: avg, min, max, med, p(N))'],
    ['unknown metric', 'http_req_duration:p(95)<800', 0, 'unknown metric "http_req_duration"'],
    ['metric case matters', 'TTFT:p(95)<800', 0, 'unknown metric "TTFT"'],
    ['missing colon', 'ttft p(95)<800', 5, 'expected : after the metric, as in ttft:p(95)<800'],
    ['unknown tag', 'ttft{region:eu}:p(95)<800', 5, 'unknown tag "region" (valid: target, model, probe)'],
    ['duplicate tag', 'ttft{target:a,target:b}:p(95)<800', 14, 'tag "target" is given twice'],
    ['empty tags', 'ttft{}:p(95)<800', 5, 'expected a tag key'],
    ['tag without value', 'ttft{target:}:p(95)<800', 12, 'expected a tag value'],
    ['tag without colon', 'ttft{target}:p(95)<800', 11, 'expected : after the tag "target"'],
    ['unclosed tags', 'ttft{target:relay:p(95)<800', 27, 'expected , or } in the tag list'],
    ['unclosed quote', 'ttft{target:"relay}:p(95)<1', 12, 'unclosed quote in tag value'],
    ['unknown unit', 'ttft:p(95)<800xs', 14, 'unknown unit "xs"'],
    ['percent on a time', 'ttft:p(95)<5%', 12, 'unit % does not fit ttft:p(95)'],
    ['per second on a count', 'errors:count<5/s', 14, 'unit /s does not fit errors:count'],
    ['dollar on a time', 'ttft:p(95)<$1', 11, '$ does not fit ttft:p(95)'],
    ['dollar without number', 'cost:sum<$', 10, 'expected a number (US dollars'],
    ['rate above 1', 'errors:rate<5', 12, 'a rate is a fraction from 0 to 1; for percent write 5%'],
    ['percent above 100', 'errors:rate<150%', 12, 'a percentage is at most 100%'],
    ['trailing junk', 'ttft:p(95)<800ms junk', 17, 'unexpected text after the threshold'],
    ['trailing parenthesis', 'ttft:p(95)<800)', 14, 'unexpected text after the threshold'],
    ['second number', 'ttft:p(95)<1.2.3', 14, 'unexpected text after the threshold'],
    ['whitespace only', '   ', 3, 'expected a metric name'],
  ];
  it.each(cases)('%s: %s', (_name, text, column, reason) => {
    const e = parseError(text);
    expect(e.column).toBe(column);
    expect(e.reason.startsWith(reason)).toBe(true);
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(`  ${text}`);
    expect(lines[2]).toBe(`${' '.repeat(column + 2)}^`);
  });

  it('keeps the caret aligned when the expression has tabs or newlines', () => {
    const e = parseError('ttft:\tp(95)\n~800');
    expect(e.column).toBe(12);
    expect(e.message.split('\n')).toEqual([
      'invalid threshold: expected an operator (<, <=, >, >=, ==, !=)',
      '  ttft: p(95) ~800',
      '              ^',
    ]);
  });

  it('every metric name is recognised and every other name is not', () => {
    for (const m of METRIC_NAMES) expect(() => parseThreshold(`${m}:x<1`)).toThrow(/unknown aggregation "x"/);
    expect(parseError('latencyy:avg<1').reason).toMatch(/^unknown metric "latencyy"/);
  });
});

describe('parseThresholdMap (config form)', () => {
  it('parses strings and k6-style objects', () => {
    const ts = parseThresholdMap(
      {
        ttft: ['p(95)<800', 'p(99) < 1.5s'],
        'latency{target:relay}': [{ threshold: 'p(99)<2000', abortOnFail: true, delayAbortEval: '10s' }],
        errors: 'rate<1%',
      },
      'relaymon.config.yaml',
    );
    expect(ts.map((t) => t.expression)).toEqual([
      'ttft:p(95)<800',
      'ttft:p(99)<1.5s',
      'latency{target:relay}:p(99)<2000',
      'errors:rate<1%',
    ]);
    expect(ts[1]?.value).toBe(1500);
    expect(ts[2]).toMatchObject({ metric: 'latency', tags: { target: 'relay' }, abortOnFail: true, delayAbortEvalMs: 10_000 });
    expect(ts[0]).toMatchObject({ abortOnFail: false, delayAbortEvalMs: 0 });
    expect(ts[3]?.value).toBe(0.01);
  });

  it('an object without abort options defaults them off', () => {
    const [t] = parseThresholdMap({ cost: [{ threshold: 'sum<$1' }] });
    expect(t).toMatchObject({ expression: 'cost:sum<$1', value: 1, abortOnFail: false, delayAbortEvalMs: 0 });
  });

  it('no map means no thresholds', () => {
    expect(parseThresholdMap(undefined)).toEqual([]);
    expect(parseThresholdMap(null)).toEqual([]);
    expect(parseThresholdMap({})).toEqual([]);
  });

  it('points into a bad key, naming the source and the key', () => {
    const e = mapError({ 'ttft{region:eu}': ['p(95)<800'] }, 'relaymon.config.yaml');
    expect(e).toBeInstanceOf(ThresholdParseError);
    expect(e.message).toBe(
      'invalid threshold (relaymon.config.yaml, key "ttft{region:eu}"): unknown tag "region" (valid: target, model, probe)\n' +
        '  ttft{region:eu}\n' +
        '       ^',
    );
  });

  it('rejects an expression in the key', () => {
    const e = mapError({ 'ttft:p(95)<800': ['p(95)<800'] });
    expect(e).toBeInstanceOf(ThresholdParseError);
    expect((e as ThresholdParseError).column).toBe(4);
    expect(e.message).toMatch(/^invalid threshold \(thresholds, key "ttft:p\(95\)<800"\): unexpected text after the metric/);
  });

  it('points into a bad expression, naming the source, key and index', () => {
    const e = mapError({ ttft: ['p(95)<800', 'rate<0.1'] }, 'relaymon.config.yaml');
    expect(e.message).toBe(
      'invalid threshold (relaymon.config.yaml, ttft[1]): aggregation rate is not valid for ttft (valid: avg, min, max, med, p(N))\n' +
        '  rate<0.1\n' +
        '  ^',
    );
    const e2 = mapError({ errors: [{ threshold: 'rate<5ms' }] });
    expect((e2 as ThresholdParseError).column).toBe(6);
  });

  it('rejects wrong shapes as usage errors', () => {
    const shapes: [unknown, RegExp][] = [
      [['ttft:p(95)<800'], /expected a map of metric to a list of expressions/],
      ['ttft:p(95)<800', /expected a map/],
      [{ ttft: 800 }, /key "ttft": expected a list of expressions/],
      [{ ttft: [800] }, /ttft\[0\]: expected an expression string/],
      [{ ttft: [{ threshold: 'p(95)<800', abortOnFail: 'yes' }] }, /abortOnFail must be true or false/],
      [{ ttft: [{ threshold: 'p(95)<800', delayAbortEval: 10 }] }, /delayAbortEval must be a duration/],
      [{ ttft: [{ threshold: 'p(95)<800', delayAbortEval: 'soon' }] }, /ttft\[0\]: delayAbortEval: invalid duration "soon"/],
      [{ ttft: [{ threshold: 'p(95)<800', abortOnFial: true }] }, /unknown field "abortOnFial"/],
      [{ ttft: [{ abortOnFail: true }] }, /expected an expression string/],
    ];
    for (const [map, re] of shapes) {
      const e = mapError(map);
      expect(e).toBeInstanceOf(UsageError);
      expect(e.message).toMatch(re);
    }
  });
});
