import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cleanEnv, ROOT } from '../helpers/cli.js';

/**
 * `npx relaymon` works for users who never clone the repo: the packed tarball
 * installs into an empty folder and runs there. Scripts are skipped when
 * packing because dist/ is already built by the test setup, and rebuilding it
 * would pull it from under the tests running beside this one.
 */
describe('npm pack', () => {
  it('installs into an empty folder and runs: --version, mock, a probe of it', async () => {
    const work = mkdtempSync(join(tmpdir(), 'relaymon-pack-'));
    const npm = (args: string[], cwd: string) =>
      execFileSync('npm', args, { cwd, env: cleanEnv({ npm_config_engine_strict: 'true' }), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    npm(['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], ROOT);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'empty', version: '1.0.0', private: true }));
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(work, tarball!)], app);

    // The build-time tables ship, and the installed CLI reads them unless the installed gpt-tokenizer or
    // genai-prices is another version than they were built from (then it reads the packages: same answers).
    const installed = join(app, 'node_modules', 'relaymon');
    expect(readdirSync(join(installed, 'dist', 'tables')).sort()).toEqual(['cl100k_base.bin', 'o200k_base.bin', 'prices.json']);
    const sources = JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t = await import(${JSON.stringify(join(installed, 'dist', 'tokens', 'rank-table.js'))});
           const p = await import(${JSON.stringify(join(installed, 'dist', 'pricing', 'compact-prices.js'))});
           const fs = await import('node:fs');
           const header = (f) => { const b = fs.readFileSync(f); return JSON.parse(b.subarray(8, 8 + b.readUInt32LE(4)).toString()); };
           console.log(JSON.stringify({
             ranks: t.loadCompactRanks('o200k_base').from, ranksCurrent: header(t.TABLES_DIR + 'o200k_base.bin').version === t.gptTokenizerVersion(),
             prices: p.readCompactPrices() !== null, pricesCurrent: JSON.parse(fs.readFileSync(p.PRICES_TABLE_FILE, 'utf8')).version === p.genaiPricesVersion(),
           }));`,
        ],
        { cwd: app, env: cleanEnv(), encoding: 'utf8' },
      ),
    ) as { ranks: string; ranksCurrent: boolean; prices: boolean; pricesCurrent: boolean };
    expect(sources.ranks).toBe(sources.ranksCurrent ? 'table' : 'tiktoken');
    expect(sources.prices).toBe(sources.pricesCurrent);

    const bin = join(app, 'node_modules', '.bin', 'relaymon');
    const version = execFileSync(bin, ['--version'], { cwd: app, env: cleanEnv(), encoding: 'utf8' });
    expect(version.trim()).toMatch(/^\d+\.\d+\.\d+$/);

    const mock = spawn(bin, ['mock', '--port', '0', '--ttft', '20'], { cwd: app, env: cleanEnv() });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: mock.stdout }).once('line', (line) => {
          const m = /^listening on (\S+)$/.exec(line);
          if (m) resolve(m[1]!);
          else reject(new Error(line));
        });
        mock.once('exit', (code) => reject(new Error(`mock exited ${code}`)));
      });
      const out = execFileSync(bin, ['probe', '--base-url', url, '--json'], { cwd: app, env: cleanEnv(), encoding: 'utf8' });
      const json = JSON.parse(out) as { requests: { ok: boolean }[] };
      expect(json.requests[0]!.ok).toBe(true);
    } finally {
      mock.kill('SIGTERM');
    }
  }, 240_000);
});
