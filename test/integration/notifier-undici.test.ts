/**
 * The notifier loads undici only when a webhook or Alertmanager is configured
 * (src/alerts/sinks/http.ts): every run imports the notifier, and in the main
 * thread undici would hold memory for nothing. Run from dist/ in a fresh
 * process, so nothing else has loaded undici first.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const NOTIFIER = new URL('../../dist/alerts/notifier.js', import.meta.url).href;

function undiciLoaded(notify: string): boolean {
  const script = `
    import { createRequire } from 'node:module';
    const { Notifier } = await import(${JSON.stringify(NOTIFIER)});
    const rules = [{ name: 'Slow', notify: ['webhook'] }];
    const n = new Notifier({ rules, notify: ${notify}, env: {}, headless: true, stderr: () => {}, bell: null });
    await n.close();
    const cache = createRequire(import.meta.url).cache;
    console.log(Object.keys(cache).some((k) => k.includes('/node_modules/undici/')));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8' });
  return out.trim() === 'true';
}

describe('notifier and undici', () => {
  it('a run without a webhook or Alertmanager does not load undici', () => {
    expect(undiciLoaded('undefined')).toBe(false);
  });
  it('a configured webhook loads it', () => {
    expect(undiciLoaded(JSON.stringify({ webhook: 'http://127.0.0.1:9/hook' }))).toBe(true);
  });
});
