/**
 * The layering check of .ci/run (`npm run lint:layers`, rules in
 * .dependency-cruiser.cjs) shown failing once: the repository's own rules run
 * on two small src-shaped trees under fixture/ — one clean, one with a
 * deliberate import cycle and a deliberate broken layer rule.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

interface Cruise {
  code: number | null;
  out: string;
}

/** `depcruise src` from the fixture's folder, as CI runs it from the repository's. */
function cruise(fixture: string): Promise<Cruise> {
  return new Promise((resolve, reject) => {
    execFile(
      DEPCRUISE,
      ['src', '--config', CONFIG, '--output-type', 'err'],
      { cwd: join(ROOT, 'test', 'layering', 'fixture', fixture), env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        // A non-numeric code (ENOENT, a timeout's signal) means depcruise did not run at all.
        const code = err ? err.code : 0;
        if (typeof code !== 'number') {
          reject(err ?? new Error('depcruise did not run'));
          return;
        }
        resolve({ code, out: stdout + stderr });
      },
    );
  });
}

describe('layering check (dependency-cruiser)', () => {
  it('passes on a tree that keeps the rules, ui importing engine/messages.ts for its types', async () => {
    const r = await cruise('clean');
    expect(r.out).toContain('no dependency violations found');
    expect(r.code).toBe(0);
  });

  it('fails on a tree with an import cycle and a stats → ui import, naming both', async () => {
    const r = await cruise('broken');
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/error no-circular: src\/core\/(parse|units)\.ts →/);
    expect(r.out).toContain('error layer-stats: src/stats/summary.ts → src/ui/panel.ts');
    expect(r.out).toContain('2 dependency violations (2 errors');
  });
});
