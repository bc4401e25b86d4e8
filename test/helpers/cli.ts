import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${ROOT}bin/relaymon.js`;

/** A key that must never be printed; tests grep every output for it. */
export const SENTINEL_KEY = 'sk-SENTINEL-relaymon-test-key-0123456789abcdef';

const PREFS_DIR = mkdtempSync(join(tmpdir(), 'relaymon-prefs-'));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment a test's CLI sees: the machine's, minus anything that would
 * send loopback traffic elsewhere (proxies) or leak in keys and configs.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(https?_proxy|no_proxy|all_proxy|OPENAI_|ANTHROPIC_|RELAYMON_|NO_COLOR|FORCE_COLOR)/i.test(k)) continue;
    env[k] = v;
  }
  // The user's own preferences (default model, colour) must not change what a test sees.
  env['RELAYMON_CONFIG_DIR'] = PREFS_DIR;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  input?: string;
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** Settles when the process exits, with everything it printed; rejects after timeoutMs (killing it). */
  exited: Promise<CliResult>;
}

/** Start the real CLI; the test can signal it or close its pipes while it runs. */
export function spawnCli(args: string[], opts: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: cleanEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<CliResult>((resolve, reject) => {
    const limit = opts.timeoutMs ?? 20_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`relaymon ${args.join(' ')} did not exit within ${limit} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, limit);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  child.stdin.end(opts.input ?? '');
  return { child, exited };
}

/** Run the real CLI to the end. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, opts).exited;
}

export interface MockProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Start `relaymon mock` as a real process and wait for its "listening on" line. */
export function startMockProcess(args: string[] = []): Promise<MockProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'mock', '--port', '0', ...args], {
      cwd: ROOT,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`mock did not start: ${stderr}`)), 15_000);
    rl.once('line', (line) => {
      clearTimeout(timer);
      const m = /^listening on (http:\/\/\S+\/v1)$/.exec(line);
      if (!m) {
        reject(new Error(`unexpected first line from mock: ${line}`));
        return;
      }
      resolve({
        url: m[1]!,
        child,
        stop: () =>
          new Promise<void>((res) => {
            if (child.exitCode !== null) return res();
            child.once('close', () => res());
            child.kill('SIGTERM');
          }),
      });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mock exited early with ${code}: ${stderr}`));
    });
  });
}

/** How many requests a `relaymon mock` has served (its /__relaymon/stats): a refusal test checks nothing was sent. */
export async function mockRequestCount(m: MockProcess): Promise<number> {
  const res = await fetch(m.url.replace(/\/v1$/, '/__relaymon/stats'));
  return ((await res.json()) as { requests: number }).requests;
}
