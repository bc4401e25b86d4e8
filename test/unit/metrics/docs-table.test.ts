import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderMetricTable } from '../../../src/metrics/docs.js';

const CONTRACTS = fileURLToPath(new URL('../../../docs/contracts.md', import.meta.url));
const BEGIN = '<!-- metrics:begin -->';
const END = '<!-- metrics:end -->';

describe('the metric table of the docs', () => {
  it('is the rendering of the catalogue (docs/contracts.md, where it exists)', () => {
    if (!existsSync(CONTRACTS)) {
      // No docs in this tree yet: pin the rendering of known rows instead, and write nothing.
      const table = renderMetricTable();
      expect(table.split('\n')[0]).toBe('| metric | kind | unit | aggregations | JSON key | Prometheus |');
      expect(table).toContain('| `ttft` | trend | ms | `avg`, `min`, `max`, `med`, `p(N)` | `ttftMs` | `gen_ai_client_operation_time_to_first_chunk_seconds` |');
      expect(table).toContain('| `errors` | ratio | fraction; count | `rate`, `count` | `errors` | – |');
      expect(table).toContain('| `cost_per_hour` | gauge | USD per hour | `value` | `costPerHourUsd` | – |');
      return;
    }
    const doc = readFileSync(CONTRACTS, 'utf8');
    const from = doc.indexOf(BEGIN);
    const to = doc.indexOf(END);
    expect(from, `${BEGIN} in docs/contracts.md`).toBeGreaterThanOrEqual(0);
    expect(to, `${END} after it`).toBeGreaterThan(from);
    expect(doc.slice(from + BEGIN.length, to).trim()).toBe(renderMetricTable().trim());
  });

  it('is pure: the same text every time', () => {
    expect(renderMetricTable()).toBe(renderMetricTable());
  });
});
