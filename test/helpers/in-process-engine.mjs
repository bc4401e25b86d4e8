/**
 * A process that runs one in-process engine (dist/engine/engine.js, the way
 * probe does) and fails it on purpose, for test/integration/engine-in-process.test.ts.
 * Failures of an engine on the calling thread end the process (in-process.ts's
 * watchdog), so they are tried here, never inside the test runner.
 *   node in-process-engine.mjs <case> <baseUrl>
 * Prints one JSON line: {"settled": "final"|"error", "message", "exitCode"}, then returns
 * and leaves the process to exit by itself (the test times that).
 * Cases: price-file (the runner's start fails), throw (an exception nobody catches while
 * it runs), reject (a rejection nobody handles), quiet (a runner that never posts a
 * result and leaves nothing to wait for), ok (a one-request run).
 */
import { Engine } from '../../dist/engine/engine.js';
import { startInProcess } from '../../dist/engine/in-process.js';
import { registerSecret } from '../../dist/core/redact.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUTS } from '../../dist/core/target.js';

export const SECRET = 'sk-inprocess-secret-0123456789abcdef';
const [kind, baseUrl = 'http://127.0.0.1:9/v1'] = process.argv.slice(2);
registerSecret(SECRET);

const target = {
  name: 'm',
  baseUrl,
  protocol: 'openai',
  apiKey: SECRET,
  apiKeyHeader: 'authorization',
  headers: {},
  priceMultiplier: 1,
  concurrency: 1,
  timeouts: DEFAULT_TIMEOUTS,
  maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
};
const spec = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 16, stream: true };
const config = {
  targets: [target],
  priceFiles: kind === 'price-file' ? ['/nonexistent/prices.json'] : [],
  plan: { kind: 'replay', entries: [{ line: 1, offsetMs: null, spec }], mode: { kind: 'closed', concurrency: 1 }, loop: true, targets: ['m'] },
  tickMs: 50,
  stopAfter: { durationMs: kind === 'ok' ? null : 60_000, requests: kind === 'ok' ? 1 : null },
  graceMs: 60_000,
  log: null,
  thresholds: [],
  secrets: [SECRET],
  emitResults: true,
  budgetUsd: null,
  alerts: [],
  liveStats: false,
  probeRules: true,
};

const report = (o) => process.stdout.write(JSON.stringify(o) + '\n');

if (kind === 'quiet') {
  // A stand-in runner: it starts and then waits on nothing at all.
  const engine = startInProcess((msg) => {
    if (msg.type === 'error') report({ settled: 'error', message: msg.message, exitCode: msg.exitCode });
    engine.close(msg.type === 'error');
  }, () => ({ start: () => new Promise(() => undefined), stop() {}, pause() {}, resume() {}, reset() {} }));
  engine.send({ type: 'start', config });
} else {
  const engine = new Engine(config, { inProcess: true });
  let first = true;
  engine.on('snapshot', () => {
    if (!first) return;
    first = false;
    // While the run goes on (its tick timer and sockets alive), something on this thread fails, unhandled.
    if (kind === 'throw') setTimeout(() => { throw new Error(`boom with ${SECRET}`); }, 0);
    if (kind === 'reject') void Promise.reject(new Error(`rejected with ${SECRET}`));
  });
  engine.done.then(
    (final) => report({ settled: 'final', requests: final.snapshot.progress.done, stoppedBy: final.stoppedBy }),
    (err) => {
      report({ settled: 'error', message: err.message, exitCode: err.exitCode });
      process.exitCode = err.exitCode;
    },
  );
}
