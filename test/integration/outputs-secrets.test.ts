/**
 * Issue 11 item 3: the key never reaches a file. Every command writes every
 * output it has (stdout, stderr, --json, --summary, --junit, --log, the
 * /metrics scrape) with a key placed in the URL's user-info, in a path
 * segment, in a query value, in a `${VAR}` header and in the environment; the
 * test then reads every file in the command's working folder (not only the
 * files it named) and greps all of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SENTINEL_KEY, spawnCli, type CliResult } from '../helpers/cli.js';
import { startHostile, type HostileServer } from '../helpers/hostile.js';
import { freePort, until } from '../helpers/net.js';
import { openaiChunk, openaiUsageChunk, sse, SSE_HEADERS } from '../helpers/sse.js';

/** Each place gets its own secret, so one that is redacted only by accident (because another one is) still shows. */
const PATH_KEY = SENTINEL_KEY; // the API key (RELAY_API_KEY), also a path segment of the base URL
const USERINFO_PASSWORD = 'SENTINEL-userinfo-pw-4b1d9e';
const QUERY_KEY = 'SENTINEL-query-key-77b1e0';
const HEADER_SECRET = 'SENTINEL-gateway-header-c0ffee';
const WEBHOOK_SECRET = 'SENTINEL-webhook-path-0b5e55';
/** Every secret above contains this; no output may. */
const MARK = 'SENTINEL';

let relay: HostileServer;
let hook: HostileServer;
let alertsConfig: string;
const inputs = mkdtempSync(join(tmpdir(), 'relaymon-secrets-in-'));
let config: string;
let baseUrl: string;

const env = () => ({ RELAY_API_KEY: PATH_KEY, GATEWAY_KEY: HEADER_SECRET, HOOK_SECRET: WEBHOOK_SECRET });

beforeAll(async () => {
  // A relay that serves any path prefix (so a key in the path still reaches it) and checks that the key arrived.
  relay = await startHostile((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] }));
      return;
    }
    if (req.headers['authorization'] !== `Bearer ${PATH_KEY}` || req.headers['x-gateway-key'] !== HEADER_SECRET) {
      res.writeHead(401, { 'content-type': 'application/json' });
      // A relay that echoes the key it refused: the echo must be redacted too.
      res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `bad key ${String(req.headers['authorization'])}` } }));
      return;
    }
    res.writeHead(200, SSE_HEADERS);
    res.write(sse(openaiChunk({ role: 'assistant', content: 'OK' })));
    res.write(sse(openaiChunk({ content: ' done' })));
    res.write(sse(openaiUsageChunk(12, 2)));
    res.end('data: [DONE]\n\n');
  });
  baseUrl = `http://relayuser:${USERINFO_PASSWORD}@127.0.0.1:${relay.port}/${PATH_KEY}/v1?key=${QUERY_KEY}`;
  config = join(inputs, 'relaymon.config.yaml');
  const targetYaml = (name: string) =>
    `  ${name}:\n    baseUrl: "${baseUrl}"\n    apiKeyEnv: RELAY_API_KEY\n    headers: { X-Gateway-Key: "\${GATEWAY_KEY}" }\n`;
  writeFileSync(config, `targets:\n${targetYaml('relay')}${targetYaml('direct')}`);
  // A webhook receiver whose URL holds a secret, and a rule that fires within a second or two.
  hook = await startHostile((_req, res) => void res.writeHead(200).end('ok'));
  alertsConfig = join(inputs, 'alerts.yaml');
  writeFileSync(
    alertsConfig,
    `targets:\n${targetYaml('relay')}notify:\n  webhook: "http://127.0.0.1:${hook.port}/hook/\${HOOK_SECRET}"\n` +
      `alerts:\n  - name: Slow\n    threshold: "latency:p(95)<0.001"\n    window: 1m\n    for: 0s\n    minRequests: 1\n    notify: [webhook]\n`,
  );
  writeFileSync(join(inputs, 'traffic.jsonl'), `${JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 })}\n`.repeat(2));
  writeFileSync(join(inputs, 'mix.yaml'), 'gpt-4o-mini: { input: 1000000, output: 200000 }\n');
}, 30_000);
afterAll(async () => {
  await relay.close();
  await hook.close();
});

/** Every file under dir, by name, with its text. */
function filesIn(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const full = join(dir, name);
    if (statSync(full).isFile()) out.set(name, readFileSync(full, 'utf8'));
  }
  return out;
}

function expectClean(what: string, outputs: Map<string, string>): void {
  for (const [name, text] of outputs) {
    for (const secret of [MARK, PATH_KEY, USERINFO_PASSWORD, QUERY_KEY, HEADER_SECRET, WEBHOOK_SECRET, encodeURIComponent(PATH_KEY)]) {
      expect(text.includes(secret), `${what}: ${name} holds ${secret}:\n${text.slice(0, 2000)}`).toBe(false);
    }
  }
}

/** Runs a command in a fresh folder and greps its stdout, stderr and every file in the folder. */
async function runAndGrep(name: string, args: string[], expectFiles: string[], extraEnv: Record<string, string> = {}): Promise<{ res: CliResult; files: Map<string, string> }> {
  const cwd = mkdtempSync(join(tmpdir(), `relaymon-secrets-${name}-`));
  const res = await runCli(args, { cwd, env: { ...env(), ...extraEnv }, timeoutMs: 30_000 });
  const files = filesIn(cwd);
  for (const f of expectFiles) expect([...files.keys()], `${name}: ${res.stderr}`).toContain(f);
  expectClean(name, new Map([['stdout', res.stdout], ['stderr', res.stderr], ...files]));
  return { res, files };
}

const cfg = () => ['--config', config];

describe('no output of any command holds a key (URL user-info, path, query, ${VAR} header, environment)', () => {
  it('probe: text, --json, --log', async () => {
    const text = await runAndGrep('probe', ['probe', ...cfg(), '-t', 'relay', '-n', '2', '--log', 'probe.log'], ['probe.log']);
    expect(text.res.code, text.res.stderr).toBe(0);
    const json = await runAndGrep('probe-json', ['probe', ...cfg(), '-t', 'relay', '-n', '1', '--json', '--log', 'p.log'], ['p.log']);
    expect(json.res.code, json.res.stderr).toBe(0);
    expect(JSON.parse(json.res.stdout)).toBeTruthy();
  });

  it('check: text and --json, --summary, --junit, --log (the summary file held the key in baseUrl)', async () => {
    const args = ['check', ...cfg(), '-t', 'relay', '-n', '2', '--every', '20ms', '--summary', 'sub/summary.json', '--junit', 'junit.xml', '--log', 'check.log'];
    const cwdArgs = args;
    const cwd = mkdtempSync(join(tmpdir(), 'relaymon-secrets-check-'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(cwd, 'sub'));
    for (const extra of [[], ['--json']]) {
      const res = await runCli([...cwdArgs, ...extra], { cwd, env: env(), timeoutMs: 30_000 });
      expect(res.code, res.stderr).toBe(0);
      const files = filesIn(cwd);
      expect([...files.keys()].sort()).toEqual(expect.arrayContaining(['check.log', 'junit.xml', join('sub', 'summary.json')]));
      expectClean(`check ${extra.join(' ')}`, new Map([['stdout', res.stdout], ['stderr', res.stderr], ...files]));
      const summary = JSON.parse(files.get(join('sub', 'summary.json'))!) as { targets: { baseUrl: string }[] };
      // The URL is still recognisable, with the secrets cut out.
      expect(summary.targets[0]!.baseUrl).toContain(`127.0.0.1:${relay.port}`);
      expect(summary.targets[0]!.baseUrl).toContain('[REDACTED]');
    }
  });

  it('check against a relay that echoes the key in its 401 answer', async () => {
    const { res } = await runAndGrep('check-401', ['check', ...cfg(), '-t', 'relay', '-n', '2', '--every', '20ms', '--json', '--summary', 's.json', '--log', 'l.log'], ['s.json', 'l.log'], {
      GATEWAY_KEY: `${HEADER_SECRET}-wrong`,
    });
    expect(res.code, res.stderr).toBe(1);
  });

  it('replay: --json, --summary, --log', async () => {
    const { res } = await runAndGrep('replay', ['replay', join(inputs, 'traffic.jsonl'), ...cfg(), '-t', 'relay', '--rate', '50', '--json', '--summary', 'r.json', '--log', 'r.log'], ['r.json', 'r.log']);
    expect(res.code, res.stderr).toBe(0);
  });

  it('compare: text, --summary, --log', async () => {
    const { res } = await runAndGrep('compare', ['compare', ...cfg(), '--targets', 'relay,direct', '-n', '4', '--every', '20ms', '--summary', 'c.json', '--log', 'c.log'], ['c.json', 'c.log']);
    expect(res.code, res.stderr).toBe(0);
  });

  it('cost: text, --json, --summary', async () => {
    const { res } = await runAndGrep('cost', ['cost', ...cfg(), '--mix', join(inputs, 'mix.yaml'), '--json', '--summary', 'cost.json'], ['cost.json']);
    expect(res.code, res.stderr).toBe(0);
    const text = await runAndGrep('cost-text', ['cost', ...cfg(), '--mix', join(inputs, 'mix.yaml')], []);
    expect(text.res.code, text.res.stderr).toBe(0);
  });

  it('models: text and --json, from the config and from --base-url with the key in the environment', async () => {
    const a = await runAndGrep('models', ['models', ...cfg(), '-t', 'relay', '--json'], []);
    expect(a.res.code, a.res.stderr).toBe(0);
    const b = await runAndGrep('models-env', ['models', '--base-url', baseUrl], [], { OPENAI_API_KEY: PATH_KEY });
    expect(b.res.code, b.res.stderr).toBe(0);
    expect(b.res.stdout).toContain('gpt-4o-mini');
  });

  it('check with an alert: the webhook body and the alert lines on stderr', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'relaymon-secrets-alerts-'));
    const run = spawnCli(['check', '--config', alertsConfig, '--every', '100ms', '--json', '--summary', 'a.json', '--log', 'a.log'], { cwd, env: env(), timeoutMs: 40_000 });
    await until(async () => (hook.requests.length > 0 ? true : null), 'the webhook to be called', 30_000);
    run.child.kill('SIGINT');
    const res = await run.exited;
    const bodies = hook.requests.map((r) => JSON.stringify(r.body));
    expect(bodies[0]).toContain('FIRING');
    expect(res.stderr).toContain('"state":"firing"');
    expectClean('check with alerts', new Map([['stdout', res.stdout], ['stderr', res.stderr], ...bodies.map((b, i) => [`webhook body ${i}`, b] as [string, string]), ...filesIn(cwd)]));
  }, 60_000);

  it('watch --no-tui: logfmt lines, /metrics scrape, --summary, --log', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'relaymon-secrets-watch-'));
    const port = await freePort();
    const run = spawnCli(['watch', ...cfg(), '--no-tui', '--every', '50ms', '--interval', '1s', '--metrics-port', String(port), '--summary', 'w.json', '--log', 'w.log'], { cwd, env: env(), timeoutMs: 40_000 });
    const scrape = await until(
      async () => {
        const r = await fetch(`http://127.0.0.1:${port}/metrics`);
        const body = await r.text();
        return /relaymon_requests_total\{[^}]*\} [1-9]/.test(body) ? body : null;
      },
      'a /metrics scrape with requests counted',
      30_000,
    );
    run.child.kill('SIGINT');
    const res = await run.exited;
    const files = filesIn(cwd);
    expect([...files.keys()].sort()).toEqual(['w.json', 'w.log']);
    expectClean('watch --no-tui', new Map([['stdout', res.stdout], ['stderr', res.stderr], ['/metrics', scrape], ...files]));
  }, 60_000);
});
