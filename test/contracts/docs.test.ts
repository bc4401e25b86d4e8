/**
 * docs/contracts.md stays true: it names every exit code, error type, stop
 * reason, threshold metric (with its valid aggregations), Prometheus series,
 * logfmt key and JSON field the code has, and links every schema file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { EXIT } from '../../src/core/errors.js';
import { ERROR_TYPES, LOCAL_COUNT_LIMITS, STREAM_VIOLATIONS, TIMEOUT_PHASES } from '../../src/core/result.js';
import { METRIC } from '../../src/export/prometheus-metrics.js';
import { LOGFMT_KEYS } from '../../src/export/logfmt.js';
import { scheduleFields } from '../../src/export/schedule-text.js';
import { describeAggregations, METRIC_NAMES } from '../../src/stats/thresholds.js';
import { buildContractSchemas, STOP_REASONS } from '../../src/export/contracts/index.js';

const DOC = readFileSync(join(ROOT, 'docs/contracts.md'), 'utf8');

/** The body of the section under `## title` (up to the next `## `). */
function section(title: string): string {
  const start = DOC.indexOf(`\n## ${title}\n`);
  expect(start, `section "${title}"`).toBeGreaterThan(-1);
  const end = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, end === -1 ? undefined : end);
}

/** Cells of the table rows of a piece of markdown (header and separator rows left out). */
function rows(text: string): string[][] {
  const lines = text.split('\n').filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l));
  return lines.slice(1).map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
}

const quoted = (name: string): string => `\`${name}\``;

/** Every identifier written inside a code span (`{p50, p90}` names p50 and p90). */
const CODE_WORDS = new Set([...DOC.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1]!.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []));

describe('docs/contracts.md', () => {
  it('has a row for every exit code, and no other', () => {
    const codes = rows(section('Exit codes')).map((r) => Number(r[0]));
    expect(codes.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });

  it('names every error type, timeout phase, stop reason and stream violation', () => {
    const errors = section('Error types');
    for (const name of [...ERROR_TYPES, ...TIMEOUT_PHASES, ...STOP_REASONS]) expect(errors).toContain(quoted(name));
    for (const name of [...STREAM_VIOLATIONS, ...LOCAL_COUNT_LIMITS]) expect(CODE_WORDS.has(name), name).toBe(true);
  });

  it('links every schema file in schema/', () => {
    const files = readdirSync(join(ROOT, 'schema')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) expect(DOC).toContain(`](../schema/${f})`);
  });

  it('names every field of every output schema', () => {
    const missing = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (typeof node !== 'object' || node === null) return;
      const o = node as Record<string, unknown>;
      if (o['type'] === 'object' && typeof o['properties'] === 'object' && o['properties'] !== null) {
        for (const key of Object.keys(o['properties'])) if (!CODE_WORDS.has(key)) missing.add(key);
      }
      for (const v of Object.values(o)) walk(v);
    };
    for (const { text } of buildContractSchemas()) walk(JSON.parse(text));
    expect([...missing]).toEqual([]);
  });

  it('has a row for every Prometheus series the export registers', () => {
    const named = rows(section('Prometheus metrics')).map((r) => r[0]);
    expect(named.sort()).toEqual(Object.values(METRIC).map(quoted).sort());
  });

  it('names every logfmt key, the schedule ones too', () => {
    const logfmt = section('The logfmt line');
    const schedule = scheduleFields(8, { scheduled: 2, sent: 1, capWaits: 1, dropped: 1, skippedBackoff: 0, achievedRatePerSec: 1 }).map(([k]) => k);
    expect(schedule.length).toBeGreaterThan(0);
    for (const key of [...LOGFMT_KEYS, ...schedule]) expect(logfmt).toContain(quoted(key));
  });

  it('the metric table between its markers: every threshold metric once, with exactly its valid aggregations', () => {
    const block = /<!-- metrics:begin -->\n([\s\S]*?)<!-- metrics:end -->/.exec(DOC);
    expect(block).not.toBeNull();
    const table = rows(block![1]!);
    expect(table.map((r) => r[0])).toEqual(METRIC_NAMES.map(quoted));
    for (const [metric, , , aggregations, , prometheus] of table) {
      const name = metric!.replace(/`/g, '') as (typeof METRIC_NAMES)[number];
      expect(aggregations!.replace(/`/g, ''), name).toBe(describeAggregations(name));
      const series = /`([a-z_]+)`/.exec(prometheus!)?.[1];
      if (series !== undefined) expect(Object.values(METRIC) as string[]).toContain(series);
    }
  });
});
