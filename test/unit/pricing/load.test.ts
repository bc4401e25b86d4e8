import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { loadPricesFile } from '../../../src/pricing/load.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relaymon-prices-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text, 'utf8');
  return path;
}

async function loadError(path: string): Promise<UsageError> {
  try {
    await loadPricesFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error(`loadPricesFile(${path}) did not throw`);
}

describe('loadPricesFile', () => {
  it('lays the file over the built-in table', async () => {
    const path = await fileWith(
      'ok.json',
      '\uFEFF' +
        JSON.stringify({
          sample_spec: { input_cost_per_token: 0 },
          'gpt-4o': { input_cost_per_token: 1e-6, output_cost_per_token: 4e-6 },
          'relay/special-model': { input_cost_per_token: 2e-7, output_cost_per_token: 8e-7 },
        }),
    );
    const table = await loadPricesFile(path);
    expect(table.lookup('openai/gpt-4o-2024-08-06')?.price.input_cost_per_token).toBe(1e-6);
    expect(table.lookup('special-model')?.key).toBe('relay/special-model');
    expect(table.lookup('claude-sonnet-4.5')?.price.output_cost_per_token).toBe(1.5e-5);
  });

  it('names a missing file', async () => {
    const path = join(dir, 'missing.json');
    const err = await loadError(path);
    expect(err.message).toBe(`prices file ${path}: file not found`);
    expect(err.exitCode).toBe(2);
  });

  it('names a directory given as the file', async () => {
    const err = await loadError(dir);
    expect(err.message).toBe(`prices file ${dir}: is a directory, not a file`);
  });

  it('gives the line and column of a JSON syntax error', async () => {
    const path = await fileWith('bad.json', '{\n  "gpt-4o": {\n    "input_cost_per_token" 1e-6\n  }\n}\n');
    const err = await loadError(path);
    expect(err.message).toMatch(new RegExp(`^prices file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid JSON at line 3, column 28: `));
    expect(err.exitCode).toBe(2);
  });

  it('reports an empty file as invalid JSON', async () => {
    const path = await fileWith('empty.json', '');
    const err = await loadError(path);
    expect(err.message).toContain(`prices file ${path}: invalid JSON`);
  });

  it('rejects valid JSON of the wrong shape, naming the file and key', async () => {
    const list = await loadError(await fileWith('list.json', '[{"gpt-4o": 1}]'));
    expect(list.message).toContain('list.json: expected a JSON object mapping model names to prices, got an array');
    const cost = await loadError(await fileWith('cost.json', '{"m": {"input_cost_per_token": "free", "output_cost_per_token": 0}}'));
    expect(cost.message).toContain('cost.json: "m".input_cost_per_token must be a number ≥ 0, got "free"');
  });
});
