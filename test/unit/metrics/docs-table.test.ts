import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderMetricTable } from '../../../src/metrics/docs.js';

const CONTRACTS = fileURLToPath(new URL('../../../docs/contracts.md', import.meta.url));
const BEGIN = '<!-- metrics:begin -->';
const END = '<!-- metrics:end -->';

describe('the metric table of the docs', () => {
  it('is the rendering of the catalogue (docs/contracts.md; `npm run gen:schema` rewrites it)', () => {
    const doc = readFileSync(CONTRACTS, 'utf8');
    const from = doc.indexOf(BEGIN);
    const to = doc.indexOf(END);
    expect(from, `${BEGIN} in docs/contracts.md`).toBeGreaterThanOrEqual(0);
    expect(to, `${END} after it`).toBeGreaterThan(from);
    expect(doc.slice(from + BEGIN.length, to).trim()).toBe(renderMetricTable().trim());
    expect(renderMetricTable()).toContain('| `ttft` | trend | ms | `avg`, `min`, `max`, `med`, `p(N)` | `ttftMs` | `gen_ai_client_operation_time_to_first_chunk_seconds` |');
  });

  it('is pure: the same text every time', () => {
    expect(renderMetricTable()).toBe(renderMetricTable());
  });
});
