import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret } from '../../../src/core/redact.js';
import { EMPTY_TIME_STATS, type Summary } from '../../../src/stats/summary.js';
import { failureMessage, junitXml, type RunSummaryJson } from '../../../src/export/junit.js';

/* ------------------------------------------------------------------------------------------------
 * A small strict XML 1.0 reader, enough to prove well-formedness of what we write: one root, matched
 * tags, quoted unique attributes, no raw '<' or '&' in text or attributes, only known entities.
 * ---------------------------------------------------------------------------------------------- */
interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

function decode(raw: string, where: string): string {
  if (!XML_CHAR.test(raw)) throw new Error(`character not allowed in XML in ${where}`);
  return raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new Error(`unterminated reference in ${where}: ${whole}`);
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const e = ENTITIES[ref];
    if (e === undefined) throw new Error(`unknown entity &${ref}; in ${where}`);
    return e;
  });
}

function parseXml(xml: string): XmlNode {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}: ${JSON.stringify(xml.slice(i, i + 40))}`);
  };
  const ws = (): void => {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
  };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) fail('unterminated declaration');
    i = end + 2;
  }
  ws();
  const element = (): XmlNode => {
    if (xml[i] !== '<') fail('expected <');
    i++;
    const name = NAME.exec(xml.slice(i))?.[0] ?? fail('bad element name');
    i += name.length;
    const node: XmlNode = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      ws();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return node;
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('attributes must be separated by whitespace');
      const an = NAME.exec(xml.slice(i))?.[0] ?? fail('bad attribute name');
      i += an.length;
      ws();
      if (xml[i] !== '=') fail('expected =');
      i++;
      ws();
      const q = xml[i];
      if (q !== '"' && q !== "'") fail('attribute value must be quoted');
      const end = xml.indexOf(q!, i + 1);
      if (end < 0) fail('unterminated attribute');
      const raw = xml.slice(i + 1, end);
      if (raw.includes('<')) fail('raw < in attribute');
      if (an in node.attrs) fail(`duplicate attribute ${an}`);
      node.attrs[an] = decode(raw, `attribute ${an}`);
      i = end + 1;
    }
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) fail(`unclosed <${name}>`);
      const raw = xml.slice(i, lt);
      if (raw.includes(']]>')) fail(']]> in text');
      node.text += decode(raw, `text of <${name}>`);
      i = lt;
      if (xml.startsWith('</', i)) {
        i += 2;
        const close = NAME.exec(xml.slice(i))?.[0] ?? fail('bad end tag');
        if (close !== name) fail(`</${close}> closes <${name}>`);
        i += close.length;
        ws();
        if (xml[i] !== '>') fail('expected > of end tag');
        i++;
        return node;
      }
      node.children.push(element());
    }
  };
  const root = element();
  ws();
  if (i !== xml.length) fail('content after the root element');
  return root;
}

function all(node: XmlNode, name: string): XmlNode[] {
  return [...(node.name === name ? [node] : []), ...node.children.flatMap((c) => all(c, name))];
}

describe('the test XML reader itself', () => {
  it('rejects what is not well-formed', () => {
    expect(() => parseXml('<a><b></a>')).toThrow();
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<a>fish & chips</a>')).toThrow(/reference/);
    expect(() => parseXml('<a x="<"/>')).toThrow(/raw </);
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/not allowed/);
    expect(() => parseXml('<a/><b/>')).toThrow(/after the root/);
    expect(parseXml('<a x="&lt;&#38;&#x27;">t&amp;u<b/></a>')).toEqual({
      name: 'a',
      attrs: { x: "<&'" },
      text: 't&u',
      children: [{ name: 'b', attrs: {}, children: [], text: '' }],
    });
  });
});

/* ---------------------------------------------------------------------------------------------- */

function summary(over: Partial<Summary> = {}): Summary {
  return {
    requests: 40,
    errors: 1,
    errorRate: 0.025,
    errorTypes: { timeout: 1 },
    unfinished: 0,
    latencyMs: { ...EMPTY_TIME_STATS, p50: 500, p95: 1100 },
    latencyScheduledMs: { ...EMPTY_TIME_STATS, p50: 500, p95: 1100 },
    ttfbMs: { ...EMPTY_TIME_STATS },
    ttftMs: { ...EMPTY_TIME_STATS, p95: 1203 },
    ttftContentMs: { ...EMPTY_TIME_STATS, p95: 1203 },
    itlMs: { ...EMPTY_TIME_STATS },
    outputTokensPerSecond: { ...EMPTY_TIME_STATS },
    inputTokens: 400,
    outputTokens: 640,
    cachedInputTokens: 0,
    usageMissing: 0,
    costUsd: 0.0123,
    unpricedRequests: 0,
    ...over,
  };
}

function run(over: Partial<RunSummaryJson> = {}): RunSummaryJson {
  return {
    command: 'check',
    startedAt: '2025-03-01T12:00:00.000Z',
    durationMs: 60_000,
    stoppedBy: 'duration',
    targets: [
      { name: 'relay', baseUrl: 'https://relay.example/v1', protocol: 'openai', summary: summary() },
      { name: 'direct', baseUrl: 'https://api.openai.com/v1', protocol: 'openai', summary: summary({ errors: 0, errorRate: 0, errorTypes: {} }) },
    ],
    summary: summary({ requests: 80 }),
    thresholds: [
      { expression: 'errors:rate<0.05', ok: true, value: 0.0125 },
      { expression: 'ttft:p(95)<800', ok: false, value: 1203 },
      { expression: 'latency{target:relay}:p(99)<2000', ok: true, value: 1500 },
      { expression: 'ttft{target:direct}:p(95)<800ms', ok: false, value: 950.25 },
      { expression: 'cost:sum<0.50', ok: false, value: null },
    ],
    ...over,
  };
}

afterEach(() => clearSecrets());

describe('junitXml', () => {
  it('parses as XML with one suite per target plus the run-wide suite, and correct counts', () => {
    const doc = parseXml(junitXml(run(), { defaults: ['errors:rate<0.05'] }));
    expect(doc.name).toBe('testsuites');
    expect(doc.attrs).toMatchObject({ name: 'relaymon check', tests: '5', failures: '3', time: '60.000' });
    const suites = all(doc, 'testsuite');
    expect(suites.map((s) => [s.attrs['name'], s.attrs['tests'], s.attrs['failures']])).toEqual([
      ['relay', '1', '0'],
      ['direct', '1', '1'],
      ['all targets', '3', '2'],
    ]);
    const relayProps = all(suites[0]!, 'property').map((p) => [p.attrs['name'], p.attrs['value']]);
    expect(relayProps).toEqual([
      ['baseUrl', 'https://relay.example/v1'],
      ['protocol', 'openai'],
    ]);
  });

  it('names each testcase by its expression and class relaymon.<target>', () => {
    const doc = parseXml(junitXml(run(), { defaults: [] }));
    const cases = all(doc, 'testcase').map((c) => [c.attrs['classname'], c.attrs['name']]);
    expect(cases).toEqual([
      ['relaymon.relay', 'latency{target:relay}:p(99)<2000'],
      ['relaymon.direct', 'ttft{target:direct}:p(95)<800ms'],
      ['relaymon.all-targets', 'errors:rate<0.05'],
      ['relaymon.all-targets', 'ttft:p(95)<800'],
      ['relaymon.all-targets', 'cost:sum<0.50'],
    ]);
  });

  it('carries the observed value in the metric unit in each failure, or says there was no data', () => {
    const doc = parseXml(junitXml(run(), { defaults: [] }));
    const failures = all(doc, 'testcase')
      .filter((c) => all(c, 'failure').length > 0)
      .map((c) => [c.attrs['name'], all(c, 'failure')[0]!.attrs['message']]);
    expect(failures).toEqual([
      ['ttft{target:direct}:p(95)<800ms', 'observed 950.3 ms, wanted p(95)<800ms'],
      ['ttft:p(95)<800', 'observed 1203 ms, wanted p(95)<800'],
      ['cost:sum<0.50', 'no data, wanted sum<0.50'],
    ]);
    const passing = all(doc, 'testcase').filter((c) => c.attrs['name'] === 'errors:rate<0.05')[0]!;
    expect(all(passing, 'failure')).toEqual([]);
  });

  it('spells values of other units out', () => {
    expect(failureMessage({ expression: 'errors:rate<1%', ok: false, value: 0.075 })).toBe('observed 7.5% (0.075), wanted rate<1%');
    expect(failureMessage({ expression: 'cost:sum<0.01', ok: false, value: 0.01234567 })).toBe('observed $0.01235, wanted sum<0.01');
    expect(failureMessage({ expression: 'cost_per_hour:value<1', ok: false, value: 2.5 })).toBe('observed $2.5/h, wanted value<1');
    expect(failureMessage({ expression: 'requests:rate>2', ok: false, value: 1.5 })).toBe('observed 1.5/s, wanted rate>2');
    expect(failureMessage({ expression: 'tokens_per_s:p(50)>30', ok: false, value: 22.44 })).toBe('observed 22.4 tokens/s, wanted p(50)>30');
    expect(failureMessage({ expression: 'model_mismatch:count<1', ok: false, value: 3 })).toBe('observed 3, wanted count<1');
  });

  it('marks thresholds that were relaymon defaults', () => {
    const doc = parseXml(
      junitXml(run({ thresholds: [{ expression: 'errors:rate<0.05', ok: false, value: 0.5 }] }), { defaults: ['errors:rate<0.05'] }),
    );
    const tc = all(doc, 'testcase')[0]!;
    expect(all(tc, 'property').map((p) => p.attrs)).toEqual([{ name: 'relaymon.default', value: 'true' }]);
    expect(all(tc, 'failure')[0]!.text).toBe('errors:rate<0.05: observed 50% (0.5), wanted rate<0.05 (implied by relaymon)');
  });

  it('puts the summary line and why it stopped in system-out', () => {
    const doc = parseXml(junitXml(run({ stoppedBy: 'budget' }), { defaults: [] }));
    const outs = all(doc, 'system-out').map((o) => o.text);
    expect(outs[0]).toBe(
      '40 requests, 1 errors (2.5%), latency p50 500ms p95 1.10s, ttft p95 1.20s, tokens 400 in / 640 out, cost $0.012',
    );
    expect(outs[2]).toContain('80 requests');
    expect(outs[2]).toMatch(/; stopped by: budget$/);
  });

  it('escapes hostile names and expressions and strips characters XML cannot carry', () => {
    const hostileTarget = `<script>alert("x")</script> & 'co'\u0001\u001b[31m`;
    const xml = junitXml(
      run({
        command: 'check',
        targets: [{ name: hostileTarget, baseUrl: 'https://relay.example/v1?a=1&b=<2>', protocol: 'anthropic', summary: null }],
        thresholds: [
          { expression: `latency{target:${hostileTarget}}:p(99)<2000`, ok: false, value: 2500 },
          { expression: `errors:rate<0.01 & "<script>"`, ok: false, value: 0.02 },
        ],
      }),
      { defaults: [] },
    );
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('\u0001');
    expect(xml).not.toContain('\u001b');
    const doc = parseXml(xml);
    const suites = all(doc, 'testsuite');
    const cleaned = `<script>alert("x")</script> & 'co'[31m`;
    expect(suites[0]!.attrs['name']).toBe(cleaned);
    expect(all(suites[0]!, 'property')[0]!.attrs['value']).toBe('https://relay.example/v1?a=1&b=<2>');
    const names = all(doc, 'testcase').map((c) => c.attrs['name']);
    expect(names).toContain(`latency{target:${cleaned}}:p(99)<2000`);
    expect(names).toContain(`errors:rate<0.01 & "<script>"`);
  });

  it('keeps newlines inside attributes as references, so the message survives parsing', () => {
    const xml = junitXml(run({ thresholds: [{ expression: 'ttft:p(95)<800\nx', ok: false, value: 1 }] }), { defaults: [] });
    const tc = all(parseXml(xml), 'testcase')[0]!;
    expect(tc.attrs['name']).toBe('ttft:p(95)<800\nx');
  });

  it('never writes a registered secret', () => {
    registerSecret('sk-test-0123456789abcdef');
    const xml = junitXml(
      run({
        targets: [{ name: 'relay', baseUrl: 'https://relay.example/sk-test-0123456789abcdef/v1', protocol: 'openai', summary: summary() }],
      }),
      { defaults: [] },
    );
    expect(xml).not.toContain('sk-test-0123456789abcdef');
    expect(xml).toContain('https://relay.example/[REDACTED]/v1');
    parseXml(xml);
  });

  it('writes a suite for a target that got no requests', () => {
    const doc = parseXml(
      junitXml(run({ targets: [{ name: 'down', baseUrl: 'http://127.0.0.1:9/v1', protocol: 'openai', summary: null }], thresholds: [] }), {
        defaults: [],
      }),
    );
    const suites = all(doc, 'testsuite');
    expect(suites[0]!.attrs).toMatchObject({ name: 'down', tests: '0', failures: '0' });
    expect(all(suites[0]!, 'system-out')[0]!.text).toBe('no requests finished');
    expect(doc.attrs).toMatchObject({ tests: '0', failures: '0' });
  });
});
