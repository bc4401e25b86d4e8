/**
 * `--metrics-port` / `--metrics-host` for the engine commands (check, replay,
 * watch): a Prometheus `/metrics` endpoint for the length of the run.
 *
 * Wiring a command:
 *   addMetricsOptions(cmd);                                // src/cli/metrics.ts
 *   const metrics = await startMetrics(flags, targets);   // null without --metrics-port
 *   // run the engine with emitResults: true (and liveStats: true for target state) when metrics !== null,
 *   // call metrics.onSnapshot(s) for every snapshot and for the final one, then:
 *   await metrics?.close();
 */
import { UsageError } from '../core/errors.js';
import { writeStderr } from './io.js';
import type { ResolvedTarget } from '../core/target.js';
import type { EngineSnapshot } from '../engine/messages.js';
import { DEFAULT_METRICS_HOST, startMetricsServer } from '../export/metrics-server.js';

export interface MetricsFlags {
  metricsPort?: string;
  metricsHost?: string;
}

export interface MetricsHandle {
  /** Where /metrics is served, e.g. http://127.0.0.1:9464/metrics. */
  url: string;
  /** Feed every engine snapshot, the final one included (its results are not in any other). */
  onSnapshot(s: EngineSnapshot): void;
  /** Stops serving; idempotent. */
  close(): Promise<void>;
}

export function parseMetricsPort(raw: string): number {
  const s = raw.trim();
  const port = /^\d{1,5}$/.test(s) ? Number(s) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(`--metrics-port expects a port number from 0 to 65535 (0 picks a free one), got "${raw}"`);
  }
  return port;
}

function parseMetricsHost(raw: string | undefined): string {
  const host = (raw ?? DEFAULT_METRICS_HOST).trim();
  if (host === '' || /[\s/]/.test(host)) throw new UsageError(`--metrics-host expects an address such as 127.0.0.1 or 0.0.0.0, got "${raw}"`);
  // [::1] as people write it in URLs; listen() wants it bare.
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Throws a UsageError for a bad --metrics-port/--metrics-host before anything is sent; null when metrics are off. */
export function metricsAddress(flags: MetricsFlags): { host: string; port: number } | null {
  if (flags.metricsPort === undefined) {
    if (flags.metricsHost !== undefined && flags.metricsHost !== DEFAULT_METRICS_HOST) {
      throw new UsageError('--metrics-host needs --metrics-port');
    }
    return null;
  }
  return { host: parseMetricsHost(flags.metricsHost), port: parseMetricsPort(flags.metricsPort) };
}

function listenError(err: unknown, host: string, port: number): UsageError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new UsageError(`--metrics-port ${port}: ${where} is already in use; choose another port (or 0 for a free one)`);
    case 'EACCES':
      return new UsageError(`--metrics-port ${port}: not allowed to listen on ${where} (ports below 1024 need privileges)`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UsageError(`--metrics-host ${host}: not an address of this machine`);
    default:
      return new UsageError(`cannot serve metrics on ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Starts /metrics when --metrics-port was given and says where on stderr
 * (stdout stays for the command's output: --json must stay pure JSON).
 */
export async function startMetrics(
  flags: MetricsFlags,
  targets: readonly ResolvedTarget[],
  opts: { err?: (text: string) => void } = {},
): Promise<MetricsHandle | null> {
  const addr = metricsAddress(flags);
  if (addr === null) return null;
  // Loaded only when /metrics is on: registering the flag must not load prom-client.
  const { PrometheusExporter } = await import('../export/prometheus.js');
  const exporter = new PrometheusExporter(targets);
  let server;
  try {
    server = await startMetricsServer(addr.host, addr.port, { render: () => exporter.metrics(), contentType: exporter.contentType });
  } catch (err) {
    exporter.close();
    throw listenError(err, addr.host, addr.port);
  }
  const err = opts.err ?? writeStderr;
  err(`metrics: serving Prometheus metrics at ${server.url}\n`);
  const srv = server;
  return {
    url: srv.url,
    onSnapshot: (s) => exporter.onSnapshot(s),
    close: async () => {
      await srv.close();
      exporter.close();
    },
  };
}
