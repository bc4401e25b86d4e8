import { spawn, type ChildProcess } from 'node:child_process';
import { stopProcess } from '../helpers/net.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SENTINEL_KEY, spawnCli, startMockProcess, type MockProcess, type RunningCli } from '../helpers/cli.js';
import { freePort, metricsUrl, PROMETHEUS, requireBinary, until } from './prometheus-helpers.js';

/**
 * A real Prometheus (Debian's, started here on loopback with its own TSDB in a
 * temp dir) scrapes a headless relaymon every second while relaymon probes
 * `relaymon mock` with a fixed 400 ms time to first token, and loads
 * dashboards/alerts.yml. Queries go through Prometheus's HTTP API.
 */
const TTFT_MS = 400;
/** The OTel bucket holding 400 ms: (0.32, 0.64]. The mock never answers early, and 240 ms of slack covers a busy machine. */
const BUCKET = { lower: 0.32, upper: 0.64 };
const REGION = 'test-region';

let mock: MockProcess;
let agent: RunningCli;
let prom: ChildProcess | null = null;
let promLog = '';
let api = '';
const dir = mkdtempSync(join(tmpdir(), 'relaymon-prom-'));

interface Vector {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(expr: string, time?: number): Promise<Vector[]> {
  const params = new URLSearchParams({ query: expr });
  if (time !== undefined) params.set('time', String(time));
  const res = await fetch(`${api}/api/v1/query?${params}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: Vector[] } };
  if (body.status !== 'success') throw new Error(`query failed: ${expr}: ${body.error}`);
  if (body.data?.resultType !== 'vector') throw new Error(`not a vector: ${expr}`);
  return body.data.result;
}

/** A single finite value, or null (no result yet, or NaN while a rate has no samples). */
async function scalar(expr: string, time?: number): Promise<number | null> {
  const r = await query(expr, time);
  if (r.length !== 1) return null;
  const v = Number(r[0]!.value[1]);
  return Number.isFinite(v) ? v : null;
}

const context = () => `prometheus said:\n${promLog.slice(-2000)}`;

async function startPrometheus(config: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      PROMETHEUS,
      [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, `tsdb-${attempt}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prom = child;
    child.stdout?.on('data', (d: Buffer) => (promLog += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (promLog += d.toString()));
    api = `http://127.0.0.1:${port}`;
    const ready = await until(
      async () => {
        if (child.exitCode !== null) return false;
        const r = await fetch(`${api}/-/ready`);
        return r.status === 200 ? true : null;
      },
      'Prometheus to be ready',
      20_000,
      context,
    );
    if (ready) return;
  }
  throw new Error(`Prometheus would not start. ${context()}`);
}

beforeAll(async () => {
  requireBinary(PROMETHEUS);
  mock = await startMockProcess(['--ttft', String(TTFT_MS), '--itl', '5', '--tokens', '8', '--no-jitter']);
  agent = spawnCli(['check', '--base-url', mock.url, '--every', '100ms', '-d', '10m', '--metrics-port', '0'], {
    env: { OPENAI_API_KEY: SENTINEL_KEY },
    timeoutMs: 15 * 60_000,
  });
  const url = await metricsUrl(agent.child);
  const target = new URL(url).host;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${join(ROOT, 'dashboards', 'alerts.yml')}
scrape_configs:
  - job_name: relaymon
    static_configs:
      - targets: ['${target}']
        labels:
          region: ${REGION}
`,
  );
  await startPrometheus(config);
});

afterAll(async () => {
  await stopProcess(prom);
  if (agent) {
    agent.child.kill('SIGTERM');
    await agent.exited.catch(() => undefined);
  }
  await mock?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const TTFC = 'gen_ai_client_operation_time_to_first_chunk_seconds_bucket{job="relaymon"}';

describe('a real Prometheus scraping a headless relaymon', () => {
  it('scrapes it, with the scrape config\'s region label on every series', async () => {
    const up = await until(() => scalar(`up{job="relaymon", region="${REGION}"}`), 'a first scrape', 20_000, context);
    expect(up).toBe(1);
    const state = await until(async () => {
      const r = await query(`relaymon_target_state{region="${REGION}"}`);
      return r.length > 0 ? r : null;
    }, 'relaymon_target_state', 20_000, context);
    expect(state[0]!.metric).toMatchObject({ relaymon_target: 'default', server_address: '127.0.0.1', gen_ai_provider_name: 'openai', region: REGION });
  });

  it('histogram_quantile(0.95) over the TTFT histogram lands inside the bucket holding the injected TTFT, interpolated linearly', async () => {
    const p95Expr = `histogram_quantile(0.95, sum by (le) (rate(${TTFC}[10s])))`;
    const first = await until(async () => {
      const r = await query(p95Expr);
      return r.length === 1 && Number.isFinite(Number(r[0]!.value[1])) ? r[0]! : null;
    }, 'a p95 TTFT', 25_000, context);
    // The buckets at that same instant, so the hand computation sees what Prometheus saw.
    const at = first.value[0];
    const p95 = Number(first.value[1]);
    expect(p95).toBeGreaterThan(BUCKET.lower);
    expect(p95).toBeLessThanOrEqual(BUCKET.upper);

    const buckets = (await query(`sum by (le) (rate(${TTFC}[10s]))`, at))
      .map((v) => ({ le: v.metric['le'] === '+Inf' ? Infinity : Number(v.metric['le']), rate: Number(v.value[1]) }))
      .sort((a, b) => a.le - b.le);
    const total = buckets.at(-1)!.rate;
    const rank = 0.95 * total;
    const i = buckets.findIndex((b) => b.rate >= rank);
    expect(buckets[i]!.le).toBe(BUCKET.upper);
    const below = buckets[i - 1]!;
    const expected = below.le + ((BUCKET.upper - below.le) * (rank - below.rate)) / (buckets[i]!.rate - below.rate);
    expect(p95).toBeCloseTo(expected, 9);
    // Interpolated, not the measured 0.4 s: with every sample in one bucket it is lower + 0.95 × width.
    expect(p95).not.toBeCloseTo(TTFT_MS / 1000, 2);
  });

  it('the cost counter increases', async () => {
    const first = await until(() => scalar('sum(relaymon_cost_usd_total{job="relaymon"})'), 'a cost sample', 20_000, context);
    expect(first).toBeGreaterThan(0);
    const later = await until(async () => {
      const v = await scalar('sum(relaymon_cost_usd_total{job="relaymon"})');
      return v !== null && v > first ? v : null;
    }, 'the cost counter to rise', 20_000, context);
    expect(later).toBeGreaterThan(first);
    const increase = await until(() => scalar('sum(increase(relaymon_cost_usd_total{job="relaymon"}[10s]))'), 'increase()', 20_000, context);
    expect(increase).toBeGreaterThan(0);
  });

  it('every dashboard query is valid PromQL here, the main panels have data, and the alert rules evaluate cleanly', async () => {
    const dash = JSON.parse(readFileSync(join(ROOT, 'dashboards', 'relaymon.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const grafana = (e: string) => e.replace(/\$(region|instance|target)\b/g, '.*').replace(/\$__rate_interval/g, '10s').replace(/\$__range/g, '1m');
    const mustHaveData = ['Target state', 'Latency (send to end of response)', 'Time to first token', 'Requests per second', 'Tokens per second', 'Cost per hour'];
    for (const panel of dash.panels) {
      for (const t of panel.targets) {
        const result = await query(grafana(t.expr));
        if (mustHaveData.includes(panel.title)) expect(result.length, `${panel.title}: ${t.expr}`).toBeGreaterThan(0);
      }
    }
    const rules = await until(async () => {
      const res = await fetch(`${api}/api/v1/rules`);
      const body = (await res.json()) as { data: { groups: { rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] } };
      const all = body.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001')) ? all : null;
    }, 'the rules to be evaluated', 20_000, context);
    expect(rules).toHaveLength(6);
    for (const r of rules) expect(`${r.name}: ${r.health} ${r.lastError ?? ''}`).toBe(`${r.name}: ok `);
  });
});
