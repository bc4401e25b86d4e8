import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { promtool } from './prometheus-helpers.js';

const RULES = join(ROOT, 'dashboards', 'alerts.yml');
const RULE_TESTS = join(ROOT, 'dashboards', 'alerts_test.yml');
const dir = mkdtempSync(join(tmpdir(), 'relaymon-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dashboards/alerts.yml with promtool', () => {
  it('promtool check rules passes', () => {
    const r = promtool(['check', 'rules', RULES]);
    expect(r.out).toContain('SUCCESS: 6 rules found');
    expect(r.code).toBe(0);
  });

  it('promtool test rules: each alert fires on the series that should fire it and on no others', () => {
    const r = promtool(['test', 'rules', RULE_TESTS]);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('the rule tests can fail: a looser threshold that lets the healthy relay fire is caught', () => {
    copyFileSync(RULE_TESTS, join(dir, 'alerts_test.yml'));
    writeFileSync(join(dir, 'alerts.yml'), readFileSync(RULES, 'utf8').replace(') > 0.05\n', ') > 0.005\n').replace('          > 0.05\n', '          > 0.005\n'));
    const r = promtool(['test', 'rules', join(dir, 'alerts_test.yml')]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('RelaymonHighErrorRate');
  });
});
