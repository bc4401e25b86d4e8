import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ROOT, runCli, SENTINEL_KEY, startMockProcess, type MockProcess } from '../helpers/cli.js';
import { embeddedData, resourceFetches } from '../helpers/report.js';

/**
 * The report in a real browser, offline: Debian's chromium (.ci/test-deps)
 * driven by playwright-core, the context offline and every request that is
 * not the file itself aborted and counted. Every chart must have drawn its
 * points; the screenshots are left in test-artifacts/ (gitignored).
 */
const ARTIFACTS = join(ROOT, 'test-artifacts');
const dir = mkdtempSync(join(tmpdir(), 'relaymon-report-browser-'));
const html = join(dir, 'report.html');
const compareHtml = join(dir, 'compare.html');
let mocks: MockProcess[] = [];

beforeAll(async () => {
  mocks = [await startMockProcess(['--ttft', '8', '--itl', '2', '--tokens', '6', '--jitter', '--seed', '1']), await startMockProcess(['--ttft', '30', '--itl', '4', '--tokens', '6', '--error-rate', '0.2', '--jitter', '--seed', '2'])];
  const config = join(dir, 'relaymon.config.yaml');
  writeFileSync(
    config,
    `targets:\n  direct:\n    baseUrl: ${mocks[0]!.url}\n    apiKeyEnv: OPENAI_API_KEY\n  relay:\n    baseUrl: ${mocks[1]!.url}\n    apiKeyEnv: OPENAI_API_KEY\n` +
      `probes:\n  chat:\n    model: gpt-4o-mini\n    prompt: hello\n    every: 50ms\n`,
  );
  const env = { OPENAI_API_KEY: SENTINEL_KEY };
  const log = join(dir, 'run.log');
  const check = await runCli(['check', '--config', config, '-n', '60', '--log', log], { env, timeoutMs: 30_000 });
  expect([0, 1], check.stderr).toContain(check.code);
  const report = await runCli(['report', log, '-o', html, '--config', config], { env });
  expect(report.code, report.stderr).toBe(0);
  const compare = await runCli(['compare', '--config', config, '--targets', 'direct,relay', '-n', '30', '--report', compareHtml], { env, timeoutMs: 30_000 });
  expect(compare.code, compare.stderr).toBe(0);
}, 90_000);
afterAll(() => {
  for (const m of mocks) m.stop();
});

async function openOffline(file: string, colorScheme: 'light' | 'dark'): Promise<{ context: BrowserContext; errors: string[]; fetched: string[] }> {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'relaymon-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    offline: true,
    viewport: { width: 1280, height: 900 },
    colorScheme,
  });
  const errors: string[] = [];
  const fetched: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === `file://${file}`) return route.continue();
    fetched.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => {
    if (!r.url().startsWith('file:')) fetched.push(r.url());
  });
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-charts-drawn]', { timeout: 20_000 });
  return { context, errors, fetched };
}

interface Drawn {
  id: string;
  width: number;
  height: number;
  drawnPoints: string | null;
  inkPixels: number;
}

async function drawnCharts(context: BrowserContext): Promise<Drawn[]> {
  const page = context.pages()[0]!;
  // A string: it runs in the browser (DOM types are not in this project's lib).
  return page.evaluate<Drawn[]>(`[...document.querySelectorAll('.chart')].map((el) => {
    const box = el.getBoundingClientRect();
    const canvas = el.querySelector('canvas');
    let ink = 0;
    if (canvas) {
      const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) ink++;
    }
    return { id: el.id.replace(/^chart-/, ''), width: box.width, height: box.height, drawnPoints: el.getAttribute('data-drawn-points'), inkPixels: ink };
  })`);
}

describe('the report in headless chromium, offline', () => {
  it('draws every chart with its data points, logs no error, fetches nothing, in light and dark', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const text = readFileSync(html, 'utf8');
    expect(text).not.toContain(SENTINEL_KEY);
    expect(resourceFetches(text)).toEqual([]);
    const data = embeddedData(text);
    expect(data.charts.length).toBeGreaterThanOrEqual(6);
    for (const scheme of ['light', 'dark'] as const) {
      const { context, errors, fetched } = await openOffline(html, scheme);
      try {
        const charts = await drawnCharts(context);
        expect(charts.map((c) => c.id).sort()).toEqual(data.charts.map((c) => c.id).sort());
        for (const c of charts) {
          const spec = data.charts.find((s) => s.id === c.id)!;
          expect(c.width, c.id).toBeGreaterThan(100);
          expect(c.height, c.id).toBeGreaterThan(100);
          expect(c.drawnPoints, c.id).toBe(String(spec.x.values.length));
          expect(c.inkPixels, c.id).toBeGreaterThan(500);
        }
        // Two targets in every distribution.
        expect(data.charts.find((c) => c.id === 'dist-latency')!.series.map((s) => s.label).sort()).toEqual(['direct', 'relay']);
        await context.pages()[0]!.screenshot({ path: join(ARTIFACTS, `report-${scheme}.png`), fullPage: true });
        expect(errors).toEqual([]);
        expect(fetched).toEqual([]);
      } finally {
        await context.close();
      }
    }
  }, 60_000);

  it('compare --report: both targets side by side with the difference and its interval, charts drawn', async () => {
    const text = readFileSync(compareHtml, 'utf8');
    expect(text).toContain('<h2>Comparison: direct − relay</h2>');
    expect(text).toMatch(/difference of medians \[95% interval\]/);
    const { context, errors, fetched } = await openOffline(compareHtml, 'light');
    try {
      const charts = await drawnCharts(context);
      expect(charts.length).toBe(embeddedData(text).charts.length);
      for (const c of charts) expect(c.inkPixels, c.id).toBeGreaterThan(500);
      await context.pages()[0]!.screenshot({ path: join(ARTIFACTS, 'report-compare.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(fetched).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
