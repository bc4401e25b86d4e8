/**
 * schema/*.schema.json are generated (npm run gen:schema); the committed files
 * must be exactly what the zod schemas give today, so they never drift from
 * the types the builders return.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildContractSchemas } from '../../src/export/contracts/index.js';
import { ROOT } from '../helpers/cli.js';

describe('the committed output schemas', () => {
  for (const { file, text } of buildContractSchemas()) {
    it(`${file} equals a freshly generated one (npm run gen:schema)`, () => {
      expect(readFileSync(join(ROOT, file), 'utf8')).toBe(text);
    });
  }

  it('closes every object and requires every field it lists (but the optional ones)', () => {
    const loose: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      const o = node as Record<string, unknown>;
      if (o['type'] === 'object' && o['properties'] !== undefined && o['additionalProperties'] !== false) loose.push(path);
      for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
    };
    for (const { file, text } of buildContractSchemas()) walk(JSON.parse(text), file);
    expect(loose).toEqual([]);
  });
});
