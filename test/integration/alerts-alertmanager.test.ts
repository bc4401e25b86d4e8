import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notifier } from '../../src/alerts/notifier.js';
import { AlertEvaluator, type AlertTransition } from '../../src/alerts/rules.js';
import { clearSecrets } from '../../src/core/redact.js';
import { FakeWindow, makeRule } from '../unit/alerts/helpers.js';
import { freePort, stopProcess, until as waitUntil } from '../helpers/net.js';

/**
 * Against Debian's prometheus-alertmanager, started here on loopback with
 * gossip off. .ci/test-deps installs it; a missing binary fails loudly rather
 * than skipping, so CI cannot pass without having talked to a real one.
 */
const BINARY = '/usr/bin/prometheus-alertmanager';

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  status: { state: string };
}

let dir = '';
let proc: ChildProcess | null = null;
let base = '';
let log = '';


/** Polls with the test's deadline; on time-out says what Alertmanager logged. */
function until<T>(probe: () => Promise<T | null>, what: string): Promise<T> {
  return waitUntil(probe, what, 20_000, () => `alertmanager said:\n${log.slice(-2000)}`);
}

async function getJson<T>(path: string): Promise<T> {
  const res = await request(`${base}${path}`, { method: 'GET' });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${path}: HTTP ${res.statusCode}`);
  return JSON.parse(text) as T;
}

async function start(port: number, storage: string, config: string): Promise<boolean> {
  const child = spawn(
    BINARY,
    [
      `--config.file=${config}`,
      `--storage.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc = child;
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (exited) return false;
    const ready = await request(`${base}/-/ready`, { method: 'GET' })
      .then(async (r) => {
        await r.body.dump();
        return r.statusCode === 200;
      })
      .catch(() => false);
    if (ready) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`alertmanager not ready within 20 s:\n${log.slice(-2000)}`);
}

async function stop(): Promise<void> {
  const child = proc;
  proc = null;
  await stopProcess(child);
}

beforeAll(async () => {
  if (!existsSync(BINARY)) {
    throw new Error(`${BINARY} is missing: install it with apt-get install --no-install-recommends prometheus-alertmanager (.ci/test-deps does)`);
  }
  dir = await mkdtemp(join(tmpdir(), 'relaymon-am-'));
  const config = join(dir, 'alertmanager.yml');
  await writeFile(config, "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n");
  // Another process may take the port between our probe and its bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await start(await freePort(), join(dir, `data-${attempt}`), config)) return;
  }
  throw new Error(`alertmanager would not start:\n${log.slice(-2000)}`);
});

afterAll(async () => {
  await stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  clearSecrets();
});

describe('Alertmanager sink against a real Alertmanager', () => {
  it('a firing alert shows up in /api/v2/alerts with its labels, is re-sent while firing, and resolves', async () => {
    const rule = makeRule({
      name: 'RelayMonIntegrationSlowTTFT',
      forMs: 0,
      notify: ['alertmanager'],
      labels: { team: 'sre' },
    });
    const lines: string[] = [];
    const notifier = new Notifier({
      rules: [rule],
      notify: { alertmanager: base },
      env: {},
      headless: false,
      stderr: (l) => lines.push(l),
      bell: null,
      resendIntervalMs: 300,
      retryDelaysMs: [100, 200],
    });
    try {
      const ev = new AlertEvaluator([rule]);
      const w = new FakeWindow();
      let t = 0;
      const step = (v: number): AlertTransition[] => {
        t += 1000;
        w.value = v;
        return ev.evaluate(t, w.query);
      };
      step(1203);
      const fired = step(1203);
      expect(fired.map((x) => x.to)).toEqual(['pending', 'firing']);
      notifier.handle(fired);
      await notifier.flush(10_000);
      expect(notifier.stats().failed).toBe(0);

      const mine = (alerts: AmAlert[]) => alerts.find((a) => a.labels['alertname'] === rule.name) ?? null;
      const first = await until(async () => mine(await getJson<AmAlert[]>('/api/v2/alerts')), 'the firing alert');
      expect(first.labels).toEqual({ alertname: rule.name, severity: 'warning', relaymon_target: 'relay', team: 'sre' });
      expect(first.annotations['summary']).toBe('ttft{target:relay}:p(95)<800 breached: 1203ms over 1m');
      expect(first.annotations['value']).toBe('1203ms');
      expect(first.status.state).toBe('active');

      // Re-sent while firing: Alertmanager sees the update (which is what keeps it from expiring the alert).
      await until(async () => {
        const a = mine(await getJson<AmAlert[]>('/api/v2/alerts'));
        return a !== null && a.updatedAt !== first.updatedAt ? a : null;
      }, 'a re-sent update');

      for (const v of [400, 400]) expect(step(v)).toEqual([]);
      const resolved = step(400);
      expect(resolved.map((x) => x.to)).toEqual(['resolved']);
      notifier.handle(resolved);
      await notifier.flush(10_000);

      // Resolved alerts leave the active list (Alertmanager's v2 list omits them altogether).
      await until(async () => {
        const active = await getJson<AmAlert[]>('/api/v2/alerts?active=true');
        return mine(active) === null ? true : null;
      }, 'the alert to stop being active');
      const sentBefore = notifier.stats().sent;
      expect(sentBefore).toBeGreaterThanOrEqual(3);
      // No re-sends once resolved (one would make it active again). Absence has no event to wait for, so
      // watch for a little over two resend intervals; a slow machine can only make this pass, never fail.
      await new Promise((r) => setTimeout(r, 700));
      expect(mine(await getJson<AmAlert[]>('/api/v2/alerts?active=true'))).toBeNull();
      expect(notifier.stats()).toMatchObject({ sent: sentBefore, failed: 0 });
      expect(lines).toEqual([]);
    } finally {
      await notifier.close();
    }
  });
});
