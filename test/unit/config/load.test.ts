import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EXIT } from '../../../src/core/errors.js';
import { configSource, loadConfig, parseConfigText } from '../../../src/config/load.js';
import { caught, tempDir, writeIn } from './tmp.js';

const FIXTURE = new URL('./fixtures/design-example.yaml', import.meta.url).pathname;

/** Loads `text` from a temp file; returns the error with the temp folder cut from the message. */
async function loadText(text: string, name = 'relaymon.config.yaml'): Promise<{ message: string; path: string | null }> {
  const dir = tempDir();
  const path = writeIn(dir, name, text);
  const err = await caught(() => loadConfig(path));
  expect(err).toBeInstanceOf(ConfigError);
  const ce = err as ConfigError;
  expect(ce.exitCode).toBe(EXIT.usage);
  expect(ce.file).toBe(path);
  // Outside the working directory the file is named by its absolute path, on every line.
  for (const line of ce.message.split('\n')) expect(line.startsWith(`${dir}/${name}`)).toBe(true);
  return { message: ce.message.split(`${dir}/`).join(''), path: ce.path };
}

const target = (extra: string) => `targets:\n  relay:\n    baseUrl: https://relay.example/v1\n${extra}`;

describe('loadConfig: the DESIGN.md example', () => {
  it('parses every section with the values written', async () => {
    const dir = tempDir();
    const path = join(dir, 'relaymon.config.yaml');
    copyFileSync(FIXTURE, path);
    const c = await loadConfig(path);
    expect(Object.keys(c.targets ?? {})).toEqual(['relay', 'direct']);
    const relay = c.targets!['relay']!;
    expect(relay).toMatchObject({
      baseUrl: 'https://relay.example/v1',
      protocol: 'openai',
      apiKeyEnv: 'RELAY_API_KEY',
      headers: { 'X-Title': 'relaymon', 'X-Gateway-Key': '${GATEWAY_KEY}' },
      priceMultiplier: 0.15,
      concurrency: 8,
      timeouts: { connect: '5s', firstToken: '30s', idle: '30s', total: '120s' },
    });
    expect(c.targets!['direct']).toEqual({ baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY', protocol: 'openai' });
    expect(c.probes!['chat-small']).toEqual({
      model: 'gpt-4o',
      prompt: 'Reply with OK',
      maxTokens: 16,
      stream: true,
      every: '10s',
      targets: ['relay', 'direct'],
    });
    expect(c.thresholds).toEqual({ ttft: ['p(95)<800'], 'latency{target:relay}': ['p(99)<2000'], errors: ['rate<0.01'] });
    expect(c.alerts).toEqual([
      {
        name: 'RelaySlowFirstToken',
        threshold: 'ttft{target:relay}:p(95)<800',
        window: '1m',
        for: '30s',
        notify: ['bell', 'webhook', 'alertmanager'],
      },
    ]);
    expect(c.notify).toEqual({ webhook: '${SLACK_WEBHOOK_URL}', alertmanager: 'http://127.0.0.1:9093' });
    expect(c.budget).toEqual({ usd: 1 });
    // Relative to the config file's folder, not the working directory.
    expect(c.prices).toBe(join(dir, 'prices.json'));
    expect(configSource(c)).toBe(path);
  });

  it('reads the same shape from JSON', async () => {
    const dir = tempDir();
    const path = writeIn(
      dir,
      'relaymon.config.json',
      JSON.stringify({ $schema: './schema.json', targets: { r: { baseUrl: 'http://127.0.0.1:9/v1', timeouts: { total: 5000 } } } }),
    );
    const c = await loadConfig(path);
    expect(c.targets!['r']!.timeouts).toEqual({ total: 5000 });
  });

  it('resolves apiKeyFile against the file folder and ~ against home', async () => {
    const dir = tempDir();
    const path = writeIn(
      dir,
      'relaymon.config.yaml',
      'targets:\n  a: { baseUrl: "https://a.example/v1", apiKeyFile: keys/a.key }\n  b: { baseUrl: "https://b.example/v1", apiKeyFile: ~/b.key }\n',
    );
    const c = await loadConfig(path);
    expect(c.targets!['a']!.apiKeyFile).toBe(join(dir, 'keys/a.key'));
    expect(c.targets!['b']!.apiKeyFile).toBe(join((await import('node:os')).homedir(), 'b.key'));
  });

  it('gives a probe with neither prompt nor messages the default prompt; keeps messages as given', () => {
    const c = parseConfigText(
      'probes:\n  a: { model: m }\n  b: { model: m, messages: [{ role: user, content: hi }], maxTokens: 4, stream: false, rate: 2/s }\n',
      '/x/relaymon.config.yaml',
    );
    expect(c.probes!['a']).toEqual({ model: 'm', prompt: 'Reply with OK', stream: true });
    expect(c.probes!['b']).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hi' }], maxTokens: 4, stream: false, rate: '2/s' });
  });
});

describe('loadConfig: errors name file, path and expectation', () => {
  it('bad URL, exactly as documented', async () => {
    const err = await loadText('targets:\n  relay:\n    baseUrl: relay.example\n');
    expect(err.message).toBe(
      'relaymon.config.yaml: targets.relay.baseUrl: expected a URL starting with http:// or https://, got "relay.example"',
    );
    expect(err.path).toBe('targets.relay.baseUrl');
    const port = await loadText('targets:\n  relay:\n    baseUrl: http://127.0.0.1:99999/v1\n');
    expect(port.message).toBe(
      'relaymon.config.yaml: targets.relay.baseUrl: expected a valid URL (check the host, and that a port is 1-65535), got "http://127.0.0.1:99999/v1"',
    );
  });

  it('wrong type', async () => {
    const err = await loadText(target('    concurrency: eight\n'));
    expect(err.message).toBe('relaymon.config.yaml: targets.relay.concurrency: expected a whole number above 0, got "eight"');
    const err2 = await loadText(target('    concurrency: 0\n    priceMultiplier: "0.15"\n'));
    expect(err2.message.split('\n')).toEqual([
      'relaymon.config.yaml: targets.relay.priceMultiplier: expected a number above 0, got "0.15"',
      'relaymon.config.yaml: targets.relay.concurrency: expected a whole number above 0, got 0',
    ]);
  });

  it('priceMultiplier: finite, above 0, at most 1000 (a larger one made bills overflow or lose their exponent)', async () => {
    const huge = await loadText(target('    priceMultiplier: 1e308\n'));
    expect(huge.message).toBe('relaymon.config.yaml: targets.relay.priceMultiplier: expected at most 1000 (a relay at that many times list price is a typo, not a price), got 1e+308');
    expect(huge.path).toBe('targets.relay.priceMultiplier');
    expect((await loadText(target('    priceMultiplier: .inf\n'))).message).toContain('targets.relay.priceMultiplier: expected a number above 0');
    expect((await loadText(target('    priceMultiplier: -2\n'))).message).toContain('targets.relay.priceMultiplier: expected a number above 0');
    const ok = parseConfigText('targets:\n  relay:\n    baseUrl: https://relay.example/v1\n    priceMultiplier: 1000\n', 'relaymon.config.yaml');
    expect(ok.targets?.['relay']?.priceMultiplier).toBe(1000);
  });

  it('unknown key, with a suggestion and the allowed keys', async () => {
    const err = await loadText(target('    timeout: 5s\n'));
    expect(err.message).toMatch(/^relaymon\.config\.yaml: targets\.relay\.timeout: unknown key \(did you mean "timeouts"\?\); expected one of baseUrl, protocol, /);
  });

  it('unknown top-level key', async () => {
    const err = await loadText('target:\n  relay: {}\n');
    expect(err.message).toContain('relaymon.config.yaml: target: unknown key (did you mean "targets"?)');
  });

  it('bad duration', async () => {
    const err = await loadText(target('    timeouts: { connect: 5 sec }\n'));
    expect(err.message).toBe(
      'relaymon.config.yaml: targets.relay.timeouts.connect: expected a duration like "800ms", "5s", "2m" or a number of milliseconds, got "5 sec"',
    );
  });

  it('a duration of the wrong type, and a zero duration where one above zero is needed', async () => {
    const err = await loadText(target('    timeouts: { idle: true, total: 0s }\n'));
    expect(err.message.split('\n')).toEqual([
      'relaymon.config.yaml: targets.relay.timeouts.idle: expected a duration like "800ms", "5s", "2m" or a number of milliseconds, got true',
      'relaymon.config.yaml: targets.relay.timeouts.total: expected a duration above zero, got "0s"',
    ]);
  });

  it('both apiKeyEnv and apiKeyFile', async () => {
    const err = await loadText(target('    apiKeyEnv: RELAY_API_KEY\n    apiKeyFile: ./relay.key\n'));
    expect(err.message).toBe('relaymon.config.yaml: targets.relay.apiKeyFile: expected either apiKeyEnv or apiKeyFile, not both');
  });

  it('a probe naming an unknown target', async () => {
    const err = await loadText(target('probes:\n  p: { model: m, targets: [relay, relya] }\n'));
    expect(err.message).toBe('relaymon.config.yaml: probes.p.targets[1]: expected one of relay, got "relya"');
  });

  it('every and rate together', async () => {
    const err = await loadText('probes:\n  p: { model: m, every: 1s, rate: 2/s }\n');
    expect(err.message).toBe('relaymon.config.yaml: probes.p.rate: expected either every (constant interval) or rate (Poisson), not both');
  });

  it('bad rate, prompt and messages together', async () => {
    const err = await loadText('probes:\n  p: { model: m, rate: fast, prompt: hi, messages: [{ role: user, content: x }] }\n');
    expect(err.message.split('\n')).toEqual([
      'relaymon.config.yaml: probes.p.rate: expected a rate like "2/s", "30/m" or "100/h", got "fast"',
      'relaymon.config.yaml: probes.p.messages: expected either prompt or messages, not both',
    ]);
  });

  it('lists several problems, one per line, and a missing required field', async () => {
    const err = await loadText('targets:\n  relay:\n    baseURL: https://x/v1\n    protocol: grpc\nbudget: { usd: -1 }\n');
    expect(err.message.split('\n')).toEqual([
      'relaymon.config.yaml: targets.relay.baseUrl: expected a string, but it is missing',
      'relaymon.config.yaml: targets.relay.protocol: expected one of openai, anthropic, openai-responses, got "grpc"',
      expect.stringMatching(/^relaymon\.config\.yaml: targets\.relay\.baseURL: unknown key \(did you mean "baseUrl"\?\)/),
      'relaymon.config.yaml: budget.usd: expected a number of dollars above 0 (0 would refuse every request; remove budget for none), got -1',
    ]);
  });

  it('threshold entries: string or {threshold, abortOnFail, delayAbortEval}', async () => {
    const ok = parseConfigText(
      'thresholds:\n  errors: ["rate<0.01", { threshold: "count<5", abortOnFail: true, delayAbortEval: 10s }]\n',
      '/x/relaymon.config.yaml',
    );
    expect(ok.thresholds!['errors']).toEqual(['rate<0.01', { threshold: 'count<5', abortOnFail: true, delayAbortEval: '10s' }]);
    const err = await loadText('thresholds:\n  errors: [{ threshold: "rate<0.1", abortOnFail: yes please }]\n');
    expect(err.message).toBe('relaymon.config.yaml: thresholds.errors[0].abortOnFail: expected true or false, got "yes please"');
    const err2 = await loadText('thresholds:\n  "latency{target:relay}": "p(99)<2000"\n');
    expect(err2.message).toBe('relaymon.config.yaml: thresholds["latency{target:relay}"]: expected a list, got "p(99)<2000"');
  });

  it('alerts: window, for, and notify channels that are not configured', async () => {
    const err = await loadText('alerts:\n  - threshold: "ttft:p(95)<800"\n    window: 2m\n    for: soon\n');
    expect(err.message.split('\n')).toEqual([
      'relaymon.config.yaml: alerts[0].window: expected one of 1m, 5m, 15m, got "2m"',
      'relaymon.config.yaml: alerts[0].for: expected a duration like "800ms", "5s", "2m" or a number of milliseconds, got "soon"',
    ]);
    const err2 = await loadText('alerts:\n  - { threshold: "ttft:p(95)<800", window: 1m, for: 0s, notify: [bell, webhook] }\n');
    expect(err2.message).toBe(
      'relaymon.config.yaml: alerts[0].notify: expected notify.webhook to be set, since this alert notifies webhook',
    );
  });

  it('target names must be usable as tags', async () => {
    const err = await loadText('targets:\n  "my relay": { baseUrl: "https://x/v1" }\n');
    expect(err.message).toBe(
      'relaymon.config.yaml: targets["my relay"]: expected a name of letters, digits, "-", "_" or "." (starting with a letter or digit), got "my relay"',
    );
  });

  it('YAML syntax error with line and column', async () => {
    const err = await loadText('targets:\n  relay:\n\tbaseUrl: https://x/v1\n');
    expect(err.message).toBe('relaymon.config.yaml:3:1: YAML syntax error: Tabs are not allowed as indentation');
  });

  it('duplicate keys are a YAML error, not a silent override', async () => {
    const err = await loadText('budget: { usd: 1 }\nbudget: { usd: 2 }\n');
    expect(err.message).toBe('relaymon.config.yaml:2:1: YAML syntax error: Map keys must be unique');
  });

  it('JSON syntax error with line and column', async () => {
    const err = await loadText('{\n  "budget": { "usd": 1 },\n}\n', 'relaymon.config.json');
    expect(err.message).toMatch(/^relaymon\.config\.json:3:1: JSON syntax error: /);
  });

  it('an empty file', async () => {
    const err = await loadText('# nothing yet\n');
    expect(err.message).toBe('relaymon.config.yaml: the file is empty; expected a mapping with targets, probes, thresholds, ...');
  });

  it('a top level that is not a mapping', async () => {
    const err = await loadText('- a\n- b\n');
    expect(err.message).toBe('relaymon.config.yaml: (top level): expected a mapping (key: value), got a list');
  });

  it('a missing file', async () => {
    const dir = tempDir();
    const err = await caught(() => loadConfig(join(dir, 'nope.yaml')));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(`config file not found: ${join(dir, 'nope.yaml')}`);
  });
});
