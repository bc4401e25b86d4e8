import { describe, expect, it } from 'vitest';
import { compileAlertRules, deriveAlertName, sanitizeAlertName } from '../../../src/alerts/rules.js';
import type { AlertConfig } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/core/errors.js';
import { parseThreshold } from '../../../src/stats/thresholds.js';

const base = (o: Partial<AlertConfig> = {}): AlertConfig => ({ threshold: 'ttft{target:relay}:p(95)<800', window: '1m', for: '30s', ...o });

describe('compileAlertRules', () => {
  it('compiles a configured alert with defaults', () => {
    const [rule] = compileAlertRules([base({ name: 'RelaySlowFirstToken', notify: ['bell', 'webhook'], labels: { team: 'sre' } })], 'relaymon.config.yaml');
    expect(rule).toEqual({
      name: 'RelaySlowFirstToken',
      threshold: parseThreshold('ttft{target:relay}:p(95)<800'),
      window: '1m',
      forMs: 30_000,
      notify: ['bell', 'webhook'],
      minRequests: 5,
      labels: { team: 'sre' },
      fireAfter: 2,
      resolveAfter: 3,
    });
  });

  it('takes minRequests, a numeric `for` (ms) and defaults notify to the remote channels', () => {
    const [rule] = compileAlertRules([base({ for: 1500, minRequests: 0 })], 'x.yaml');
    expect(rule?.forMs).toBe(1500);
    expect(rule?.minRequests).toBe(0);
    expect(rule?.notify).toEqual(['webhook', 'alertmanager']);
  });

  it('returns no rules for no alerts', () => {
    expect(compileAlertRules(undefined, 'x.yaml')).toEqual([]);
    expect(compileAlertRules([], 'x.yaml')).toEqual([]);
  });

  it('derives names in the Prometheus alert-name charset, unique across the list', () => {
    const rules = compileAlertRules(
      [
        base(),
        base({ threshold: 'ttft{target:relay}:p(95)<1s' }),
        base({ threshold: 'latency{target:my-relay.eu, model:gpt-4o}:p(99.9)<2s' }),
        base({ threshold: 'errors:rate<1%' }),
        base({ name: 'errors_rate_2', threshold: 'errors:rate<5%' }),
        base({ threshold: 'errors:rate<10%' }),
      ],
      'x.yaml',
    );
    expect(rules.map((r) => r.name)).toEqual([
      'ttft_target_relay_p95',
      'ttft_target_relay_p95_2',
      'latency_target_my_relay_eu_model_gpt_4o_p99_9',
      'errors_rate',
      'errors_rate_2',
      'errors_rate_3',
    ]);
    for (const r of rules) expect(r.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });

  it('sanitizes odd names', () => {
    expect(sanitizeAlertName('9lives!!')).toBe('_9lives');
    expect(sanitizeAlertName('---')).toBe('relaymon_alert');
    expect(deriveAlertName(parseThreshold('cost_per_hour:value<$2/h'))).toBe('cost_per_hour_value');
  });

  it('a bad threshold is a ConfigError naming the source and alerts[i].threshold', () => {
    let caught: unknown;
    try {
      compileAlertRules([base(), base({ threshold: 'ttft:rate<800' })], 'conf/relaymon.config.yaml');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const e = caught as ConfigError;
    expect(e.file).toBe('conf/relaymon.config.yaml');
    expect(e.path).toBe('alerts[1].threshold');
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^conf\/relaymon\.config\.yaml: alerts\[1\]\.threshold: invalid threshold/);
  });

  it('a bad duration is a ConfigError naming alerts[i].for', () => {
    expect(() => compileAlertRules([base({ for: 'soon' })], 'c.yaml')).toThrowError(/c\.yaml: alerts\[0\]\.for: invalid duration/);
  });
});
