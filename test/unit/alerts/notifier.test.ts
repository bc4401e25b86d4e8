import { afterEach, describe, expect, it } from 'vitest';
import { Notifier } from '../../../src/alerts/notifier.js';
import { AlertEvaluator, type AlertRule, type AlertTransition } from '../../../src/alerts/rules.js';
import { alertmanagerAlert, headlessLine, webhookBody, type Notice } from '../../../src/alerts/sinks/payloads.js';
import { ConfigError } from '../../../src/core/errors.js';
import { REDACTED, clearSecrets, redact } from '../../../src/core/redact.js';
import { FakeWindow, makeRule } from './helpers.js';

afterEach(() => clearSecrets());

const WALL = Date.parse('2026-03-01T12:00:00.000Z');

/** ok → pending → firing → resolved → (ok) and pending → ok, with the evaluator's fake clock starting at 1000 s. */
function lifecycle(rule: AlertRule): AlertTransition[] {
  const ev = new AlertEvaluator([rule]);
  const w = new FakeWindow();
  const out: AlertTransition[] = [];
  let t = 1_000_000;
  const step = (v: number) => {
    t += 5000;
    w.value = v;
    out.push(...ev.evaluate(t, w.query));
  };
  for (const v of [1203, 1203, 1300, 400, 400, 400, 400, 1500, 1500, 400, 400, 400]) step(v);
  return out;
}

function notifier(rules: AlertRule[], over: Partial<ConstructorParameters<typeof Notifier>[0]> = {}) {
  const lines: string[] = [];
  let rings = 0;
  const n = new Notifier({
    rules,
    notify: undefined,
    env: {},
    headless: true,
    stderr: (l) => lines.push(l),
    bell: () => rings++,
    now: () => WALL,
    ...over,
  });
  return { n, lines, rings: () => rings };
}

describe('Notifier without remote sinks', () => {
  it('in headless mode writes every transition, pending and ok included, as one JSON line', () => {
    const rule = makeRule({ forMs: 5000, notify: ['bell'] });
    const transitions = lifecycle(rule);
    expect(transitions.map((t) => t.to)).toEqual(['pending', 'firing', 'resolved', 'pending', 'ok']);
    const { n, lines } = notifier([rule]);
    n.handle(transitions);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { alert: 'SlowFirstToken', state: 'pending', value: 1203, expression: 'ttft{target:relay}:p(95)<800', at: '2026-03-01T12:00:00.000Z' },
      { alert: 'SlowFirstToken', state: 'firing', value: 1300, expression: 'ttft{target:relay}:p(95)<800', at: '2026-03-01T12:00:00.000Z' },
      { alert: 'SlowFirstToken', state: 'resolved', value: 400, expression: 'ttft{target:relay}:p(95)<800', at: '2026-03-01T12:00:00.000Z' },
      { alert: 'SlowFirstToken', state: 'pending', value: 1500, expression: 'ttft{target:relay}:p(95)<800', at: '2026-03-01T12:00:00.000Z' },
      { alert: 'SlowFirstToken', state: 'ok', value: 400, expression: 'ttft{target:relay}:p(95)<800', at: '2026-03-01T12:00:00.000Z' },
    ]);
    expect(n.stats()).toEqual({ sent: 0, failed: 0, dropped: 0 });
  });

  it('writes nothing on stderr when not headless', () => {
    const rule = makeRule({ forMs: 5000, notify: ['bell'] });
    const { n, lines, rings } = notifier([rule], { headless: false });
    n.handle(lifecycle(rule));
    expect(lines).toEqual([]);
    expect(rings()).toBe(1);
  });

  it('rings the bell once per firing, only for rules that ask for it', () => {
    const withBell = makeRule({ name: 'a', forMs: 5000, notify: ['bell'] });
    const without = makeRule({ name: 'b', forMs: 5000, notify: ['webhook'] });
    const { n, rings } = notifier([withBell, without]);
    n.handle(lifecycle(withBell));
    n.handle(lifecycle(without));
    expect(rings()).toBe(1);
  });

  it('never throws: a failing bell or stderr, a null bell, an unknown rule', () => {
    const rule = makeRule({ forMs: 5000, notify: ['bell'] });
    const boom = () => {
      throw new Error('boom');
    };
    const a = new Notifier({ rules: [rule], notify: undefined, env: {}, headless: true, stderr: boom, bell: boom });
    expect(() => a.handle(lifecycle(rule))).not.toThrow();
    const b = new Notifier({ rules: [rule], notify: undefined, env: {}, headless: false, stderr: boom, bell: null });
    expect(() => b.handle(lifecycle(rule))).not.toThrow();
    const { n, lines } = notifier([]);
    n.handle(lifecycle(rule));
    expect(lines).toEqual([]);
  });

  it('flush with nothing queued returns at once', async () => {
    const { n } = notifier([makeRule()]);
    const t0 = Date.now();
    await n.flush(10_000);
    expect(Date.now() - t0).toBeLessThan(1000);
    await n.close();
  });
});

describe('Notifier configuration', () => {
  const hookRule = makeRule({ notify: ['webhook'] });

  it('an unset variable in the webhook URL is a ConfigError naming the variable', () => {
    expect(() => notifier([hookRule], { notify: { webhook: '${SLACK_WEBHOOK_URL}' }, env: {} })).toThrowError(ConfigError);
    expect(() => notifier([hookRule], { notify: { webhook: '${SLACK_WEBHOOK_URL}' }, env: {} })).toThrowError(
      'notify.webhook: environment variable SLACK_WEBHOOK_URL is not set',
    );
  });

  it('a variable that does not expand to a URL is refused without showing it', () => {
    const secret = 'xoxb-not-a-url-7f3a9c1e';
    let message = '';
    try {
      notifier([hookRule], { notify: { webhook: '${HOOK}' }, env: { HOOK: secret } });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('notify.webhook: expected a URL starting with http:// or https:// (the value is not shown)');
  });

  it('only channels some rule uses are set up', async () => {
    const { n } = notifier([makeRule({ notify: ['bell'] })], { notify: { webhook: '${UNSET_HOOK}' }, env: {} });
    await n.close();
  });

  it('registers the webhook URL and every expanded variable as secrets', async () => {
    const token = 'T0KEN-sentinel-4711';
    const { n } = notifier([hookRule], {
      notify: { webhook: 'https://hooks.example/services/${HOOK_TOKEN}?x=1' },
      env: { HOOK_TOKEN: token },
    });
    expect(redact(`a ${token} b`)).toBe(`a ${REDACTED} b`);
    expect(redact('https://hooks.example/services/T0KEN-sentinel-4711?x=1')).toBe(REDACTED);
    await n.close();
  });

  it('a literal webhook URL is a secret too; an Alertmanager URL with credentials gets Basic auth and its password registered', async () => {
    const { n } = notifier([makeRule({ notify: ['webhook', 'alertmanager'] })], {
      notify: { webhook: 'https://hooks.example/literal-hook-path', alertmanager: 'http://ops:am-pass-5150@127.0.0.1:9093' },
    });
    expect(redact('https://hooks.example/literal-hook-path')).toBe(REDACTED);
    expect(redact('am-pass-5150')).toBe(REDACTED);
    await n.close();
  });
});

describe('payloads', () => {
  const rule = makeRule({ name: 'RelaySlow', labels: { team: 'sre', severity: 'critical' } });
  const transition: AlertTransition = {
    rule: 'RelaySlow',
    from: 'pending',
    to: 'firing',
    atMs: 70_000,
    value: 1203,
    expression: 'ttft{target:relay}:p(95)<800',
    labels: { team: 'sre', severity: 'critical' },
    startsAtMs: 40_000,
    summary: 'ttft{target:relay}:p(95)<800 breached: 1203ms over 1m',
  };
  const firing: Notice = { rule, transition, at: '2026-03-01T12:00:30.000Z', startsAt: '2026-03-01T12:00:00.000Z', endsAt: null };

  it('webhook: a Slack-style text line plus structured fields', () => {
    expect(webhookBody(firing)).toEqual({
      text: '[FIRING] RelaySlow: ttft{target:relay}:p(95)<800 breached: 1203ms over 1m',
      alert: 'RelaySlow',
      state: 'firing',
      value: 1203,
      valueText: '1203ms',
      expression: 'ttft{target:relay}:p(95)<800',
      window: '1m',
      summary: 'ttft{target:relay}:p(95)<800 breached: 1203ms over 1m',
      labels: { team: 'sre', severity: 'critical' },
      startsAt: '2026-03-01T12:00:00.000Z',
      endsAt: null,
      at: '2026-03-01T12:00:30.000Z',
      source: 'relaymon',
    });
  });

  it('alertmanager: alertname, tag labels, the user severity, annotations; endsAt only when resolved', () => {
    const a = alertmanagerAlert(firing, null);
    expect(a).toEqual({
      labels: { alertname: 'RelaySlow', severity: 'critical', relaymon_target: 'relay', team: 'sre' },
      annotations: {
        summary: 'ttft{target:relay}:p(95)<800 breached: 1203ms over 1m',
        description: 'relaymon alert RelaySlow: ttft{target:relay}:p(95)<800 must hold over the 1m window; value 1203ms.',
        value: '1203ms',
      },
      startsAt: '2026-03-01T12:00:00.000Z',
    });
    const resolved = alertmanagerAlert(
      { ...firing, transition: { ...transition, to: 'resolved' }, endsAt: '2026-03-01T12:05:00.000Z' },
      'http://127.0.0.1:9464/metrics',
    );
    expect(resolved.endsAt).toBe('2026-03-01T12:05:00.000Z');
    expect(resolved.generatorURL).toBe('http://127.0.0.1:9464/metrics');
    // A user label cannot rename the alert.
    const renamed = alertmanagerAlert({ ...firing, rule: makeRule({ name: 'RelaySlow', labels: { alertname: 'x' } }) }, null);
    expect(renamed.labels['alertname']).toBe('RelaySlow');
    expect(renamed.labels['severity']).toBe('warning');
  });

  it('headless line', () => {
    expect(JSON.parse(headlessLine(firing))).toEqual({
      alert: 'RelaySlow',
      state: 'firing',
      value: 1203,
      expression: 'ttft{target:relay}:p(95)<800',
      at: '2026-03-01T12:00:30.000Z',
    });
  });
});
