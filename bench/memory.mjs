#!/usr/bin/env node
// Peak resident memory of relaymon as users run it (billing reconciliation on,
// the default), from the build: run `npx tsc -p tsconfig.build.json` first
// (`npm run bench` does).
//
//   node bench/memory.mjs [--quick] [--rounds N] [--base DIR] [--only check|watch]
//
// --base DIR: an A/B against another build (a checkout or copy with bin/ and
// dist/, e.g. main's): each round runs its check and watch next to this
// build's, and the table gives this build's median over the base's.
//
// (a) a headless `relaymon check` at 20 requests/s for 60 s against a
//     `relaymon mock` child on 127.0.0.1;
// (b) `relaymon watch` drawing its dashboard for 8 targets (one mock child
//     each, 2 probes/s per target) in a pseudo-terminal of 160×50 made by
//     script(1), for 40 s;
// (c) the reference: `node -e 0`, in the same run.
// Peak RSS is the whole process's (every thread): GNU time's %M (the
// kernel's maxrss of the child), or else VmHWM polled from /proc. Rounds
// alternate the arms; the table gives the median and the spread.
// The engine's 300k-request run is measured by bench/engine.mjs (memoryRun).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockProcess } from './mock-process.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/relaymon.js');
const quick = process.argv.includes('--quick');
const roundsAt = process.argv.indexOf('--rounds');
const ROUNDS = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : quick ? 1 : 2;
const baseAt = process.argv.indexOf('--base');
const BASE_BIN = baseAt > 0 ? join(process.argv[baseAt + 1], 'bin/relaymon.js') : null;
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt > 0 ? process.argv[onlyAt + 1] : null;
const CHECK_S = quick ? 15 : 60;
const WATCH_S = quick ? 15 : 40;
const TARGETS = 8;
// ~175 ms an answer: 20/s keeps ~4 requests in flight, under check's default cap of 8 per target.
const MOCK_ARGS = ['--ttft', '100', '--itl', '5', '--tokens', '16', '--no-jitter'];
const MODEL = 'gpt-4o-mini';
const GOALS = { check: 100, watch: 150 };
const TIME = '/usr/bin/time';
// script(1) (util-linux) gives watch its terminal; without it the watch row is left out.
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p)) ?? null;
const MB = 1024; // kB per MB

const dir = mkdtempSync(join(tmpdir(), 'relaymon-bench-memory-'));
const mocks = [];
for (let i = 0; i < TARGETS; i++) mocks.push(await startMockProcess(MOCK_ARGS));

const config = {
  targets: Object.fromEntries(mocks.map((m, i) => [`relay-${i + 1}`, { baseUrl: m.url, protocol: 'openai' }])),
  probes: { chat: { model: MODEL, prompt: 'Reply with OK', maxTokens: 16, stream: true, rate: '2/s' } },
};
const configPath = join(dir, 'relaymon.config.json');
writeFileSync(configPath, JSON.stringify(config, null, 2));

const checkArgs = ['check', '--base-url', mocks[0].url, '-m', MODEL, '--rate', '20/s', '--duration', `${CHECK_S}s`];
const watchArgs = ['watch', '--config', configPath, '--duration', `${WATCH_S}s`];

/** Peak RSS (kB) of `node args…`, every thread; `tty` runs it in a 160×50 pseudo-terminal. */
async function peakKb(args, { tty = false } = {}) {
  const out = join(dir, 'maxrss');
  rmSync(out, { force: true });
  const useTime = existsSync(TIME);
  const node = [process.execPath, ...args];
  const argv = useTime ? [TIME, '-f', '%M', '-o', out, ...node] : node;
  let child;
  if (tty) {
    const inner = `stty cols 160 rows 50; exec ${argv.map(shellQuote).join(' ')}`;
    // script(1) gives the command a terminal; its own stdin stays open (a pipe nobody writes) so it never sends EOF.
    child = spawn(SCRIPT, ['-qefc', inner, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm-256color' } });
  } else child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let bytes = 0;
  let text = '';
  child.stdout.on('data', (d) => {
    bytes += d.length;
    text = (text + d).slice(-4000);
  });
  child.stderr.on('data', (d) => (text = (text + d).slice(-4000)));
  let polled = 0;
  const poll = useTime
    ? null
    : setInterval(() => {
        try {
          const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polled = Math.max(polled, Number(m[1]));
        } catch {
          // gone
        }
      }, 50);
  const code = await new Promise((resolve) => child.once('close', resolve));
  if (poll) clearInterval(poll);
  if (code !== 0 && code !== 1) throw new Error(`${args.join(' ')} exited ${code}:\n${text}`);
  const kb = useTime ? Number(readFileSync(out, 'utf8').trim().split('\n').at(-1)) : polled;
  return { kb, bytes, tail: text };
}

function shellQuote(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const runs = { ref: [], check: [], watch: [], baseCheck: [], baseWatch: [] };
let watchBytes = 0;
async function watchKb(bin) {
  const w = await peakKb([bin, ...watchArgs], { tty: true });
  watchBytes = Math.max(watchBytes, w.bytes);
  // A dashboard that drew nothing would make the figure meaningless.
  if (w.bytes < 10_000) throw new Error(`watch drew only ${w.bytes} bytes:\n${w.tail}`);
  return w.kb;
}
for (let r = 0; r < ROUNDS; r++) {
  // With a base, which build goes first alternates from round to round.
  const bins = BASE_BIN ? (r % 2 ? [BASE_BIN, BIN] : [BIN, BASE_BIN]) : [BIN];
  runs.ref.push((await peakKb(['-e', '0'])).kb);
  if (ONLY !== 'watch') for (const bin of bins) (bin === BIN ? runs.check : runs.baseCheck).push((await peakKb([bin, ...checkArgs])).kb);
  if (SCRIPT && ONLY !== 'check') for (const bin of bins) (bin === BIN ? runs.watch : runs.baseWatch).push(await watchKb(bin));
  runs.ref.push((await peakKb(['-e', '0'])).kb);
}
await Promise.all(mocks.map((m) => m.stop()));
rmSync(dir, { recursive: true, force: true });

let machine = `${process.version}, ${process.platform}`;
try {
  machine += `, ${execFileSync('nproc').toString().trim()} cores`;
} catch {
  // not Linux
}
const ref = median(runs.ref);
const f = (kb) => (kb / MB).toFixed(1);
const spread = (xs) => (xs.length > 1 ? `${f(Math.min(...xs))}–${f(Math.max(...xs))}` : '–');
const vsBase = (xs, base) => (BASE_BIN ? ` ${base.length ? `${(median(xs) / median(base)).toFixed(2)}× (base ${f(median(base))} MB, ${spread(base)})` : ''} |` : '');
const row = (name, cmd, xs, goal, base = []) =>
  xs.length === 0
    ? `| ${name} | not measured (--only) | | | | |${BASE_BIN ? ' |' : ''}`
    : `| ${name} | \`${cmd}\` | ${f(median(xs))} MB | ${spread(xs)} | ${(median(xs) / ref).toFixed(2)}× | ${goal === null ? '' : `≤ ${goal} MB: ${median(xs) / MB <= goal ? 'met' : 'missed'}`} |${vsBase(xs, base)}`;

console.log(`## Memory (\`node bench/memory.mjs${quick ? ' --quick' : ''}\`, ${new Date().toISOString().slice(0, 10)})

Machine: ${machine}. Peak RSS of the whole process (every thread: main, which also counts tokens, and the engine worker), ${TIME} %M; median of ${ROUNDS} round(s) (reference: ${runs.ref.length} runs), arms alternating. Billing reconciliation on (the default). Mocks: \`relaymon mock ${MOCK_ARGS.join(' ')}\` on 127.0.0.1, one child process per target. watch ran in a 160×50 pseudo-terminal (script(1)) and wrote ${(watchBytes / 1024).toFixed(0)} KiB of frames (the Ink dashboard).

${BASE_BIN ? `A/B: the last column is this build's median over the base's (\`${BASE_BIN}\`), measured in the same rounds.\n\n` : ''}| run | command | peak RSS | spread | / \`node -e 0\` | goal |${BASE_BIN ? ' / base |' : ''}
| --- | --- | --- | --- | --- | --- |${BASE_BIN ? ' --- |' : ''}
${row('reference', 'node -e 0', runs.ref, null)}
${row(`headless check, 20/s, ${CHECK_S} s`, `relaymon ${checkArgs.join(' ').replace(mocks[0].url, 'http://127.0.0.1:PORT/v1')}`, runs.check, GOALS.check, runs.baseCheck)}
${SCRIPT ? row(`watch, ${TARGETS} targets × 2/s, ${WATCH_S} s`, `relaymon ${watchArgs.join(' ').replace(configPath, 'bench-8-targets.json')}`, runs.watch, GOALS.watch, runs.baseWatch) : '| watch | not measured: no script(1) to give it a terminal | | | | |'}
`);
