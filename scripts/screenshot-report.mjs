#!/usr/bin/env node
/**
 * The README's picture of `relaymon report` (docs/report.png), made the way a
 * user would make the report: a short check against two `relaymon mock`
 * relays (one healthy, one flaky) with --log, then `relaymon report` on the
 * log, opened offline in Debian's chromium (playwright-core, every
 * non-file request aborted) and photographed.
 *
 *   node scripts/screenshot-report.mjs [out.png] [--keep DIR]
 *
 * Needs a build (npm run build) and /usr/bin/chromium (.ci/test-deps).
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const cli = join(root, 'bin/relaymon.js');
const out = resolve(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : join(root, 'docs/report.png'));
const dir = mkdtempSync(join(tmpdir(), 'relaymon-report-shot-'));
// The mock takes any key; the config names where it comes from (keys never go in a config file).
const env = { ...process.env, DEMO_API_KEY: 'demo' };

function startMock(args) {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [cli, 'mock', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) res({ child, url: m[1] });
    });
    child.on('exit', () => rej(new Error('mock exited')));
  });
}

const mocks = [await startMock(['--scenario', 'healthy', '--jitter']), await startMock(['--scenario', 'flaky', '--jitter'])];
try {
  const config = join(dir, 'relaymon.config.yaml');
  writeFileSync(
    config,
    `targets:\n  relay:\n    baseUrl: ${mocks[1].url}\n    apiKeyEnv: DEMO_API_KEY\n  direct:\n    baseUrl: ${mocks[0].url}\n    apiKeyEnv: DEMO_API_KEY\n` +
      `probes:\n  chat:\n    model: gpt-4o-mini\n    prompt: Say hello in five words.\n    every: 250ms\n`,
  );
  const log = join(dir, 'run.log');
  const html = join(dir, 'report.html');
  try {
    execFileSync(process.execPath, [cli, 'check', '--config', config, '--duration', '30s', '--log', log, '--threshold', 'ttft:p(95)<600'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    // A failed threshold (exit 1) is part of the picture.
  }
  execFileSync(process.execPath, [cli, 'report', log, '-o', html, '--config', config], { env, stdio: 'inherit' });
  // A fresh profile (playwright passes it as --user-data-dir), offline, every request but the file aborted.
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    offline: true,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
  });
  try {
    await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('file://' + html);
    await page.waitForSelector('body[data-charts-drawn]');
    await page.screenshot({ path: out, fullPage: true });
  } finally {
    await context.close();
  }
  console.log(`wrote ${out}`);
} finally {
  for (const m of mocks) m.child.kill();
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
