/**
 * `--metrics-port` / `--metrics-host` for the engine commands (check, replay,
 * watch): the flags; what they start is src/run/metrics.ts.
 */
import type { Command } from 'commander';
import { DEFAULT_METRICS_HOST, METRICS_PATH } from '../export/metrics-defaults.js';

export function addMetricsOptions(cmd: Command): Command {
  return cmd
    .option('--metrics-port <port>', `serve Prometheus metrics at http://HOST:PORT${METRICS_PATH} while running (0 picks a free port)`)
    .option('--metrics-host <host>', 'address for --metrics-port; 0.0.0.0 exposes it to the network', DEFAULT_METRICS_HOST);
}
