/** Shared by the /metrics and Prometheus integration tests. */
export { freePort, until } from '../helpers/net.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

export const PROMTOOL = '/usr/bin/promtool';
export const PROMETHEUS = '/usr/bin/prometheus';

/** .ci/test-deps installs Debian's prometheus package; a missing binary fails loudly rather than skipping. */
export function requireBinary(path: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install --no-install-recommends prometheus (.ci/test-deps does)`);
}

/** The URL a relaymon command prints on stderr when --metrics-port is on. */
export function metricsUrl(child: ChildProcessWithoutNullStreams, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no metrics URL on stderr within ${timeoutMs} ms: ${seen}`)), timeoutMs);
    const onData = (d: Buffer | string) => {
      seen += d.toString();
      const m = /serving Prometheus metrics at (http:\/\/\S+\/metrics)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        child.stderr.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`relaymon exited before serving metrics: ${seen}`)));
  });
}

export async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.text();
}

/** The sum of a counter's samples in exposition text (0 when absent). */
export function counterSum(text: string, name: string, labelFilter = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labelFilter && !line.includes(labelFilter)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export function promtool(args: string[], input?: string): { code: number | null; out: string } {
  requireBinary(PROMTOOL);
  const r = spawnSync(PROMTOOL, args, { input, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
