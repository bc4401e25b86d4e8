// Where the engine worker waits for a CPU during a 200/s run (issue 14's send
// lateness tail). Not part of `npm run bench`: it needs root and the kernel's
// tracefs. It runs bench/engine.mjs' rateRun(200, 20) in this process, records
// the scheduler's switch, wake-up and migration events for a few seconds in
// the middle of it, and reports each time the worker was runnable but not
// running for more than 0.5 ms: what the other CPUs were doing when the wait
// began, and which threads ran on the worker's CPU meanwhile.
//
//   sudo node bench/sched-waits.mjs [traceSeconds=3] [runs=1]
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { rateRun } from './engine.mjs';

const TRACING = '/sys/kernel/tracing';
const EVENTS = 'sched:sched_switch sched:sched_wakeup sched:sched_migrate_task';
const LONG_WAIT_S = 0.0005;
const traceSeconds = Number(process.argv[2] ?? 3);
const runs = Number(process.argv[3] ?? 1);

function ensureTracefs() {
  if (existsSync(`${TRACING}/trace`)) return;
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', TRACING], { stdio: 'ignore' });
  } catch {
    console.error(`sched-waits: needs root and tracefs at ${TRACING} (mount -t tracefs nodev ${TRACING})`);
    process.exit(1);
  }
}

const put = (file, text) => writeFileSync(`${TRACING}/${file}`, text);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuRun = (tid, pid) => Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);

/** tid → class: this process's main thread and engine worker (the busiest other thread), its other threads, the mock's. */
function threadClasses() {
  const classes = new Map();
  const self = readdirSync('/proc/self/task').map(Number);
  const others = self.filter((tid) => tid !== process.pid);
  const worker = others.reduce((a, b) => (cpuRun(b, process.pid) > cpuRun(a, process.pid) ? b : a));
  for (const tid of self) classes.set(tid, tid === process.pid ? 'bench main thread' : tid === worker ? 'engine worker' : 'bench V8/libuv threads');
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      continue;
    }
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
    for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) classes.set(tid, tid === pid ? 'mock main thread' : 'mock V8/libuv threads');
  }
  return { classes, worker };
}

const LINE = /\[(\d+)\].*?(\d+\.\d+): (sched_\w+): (.*)/;

/** The worker's runnable → running waits, with the CPUs' state when each began and what ran on its CPU meanwhile. */
function analyse(text, worker, classes) {
  const name = (tid) => (tid === 0 ? 'idle' : classes.get(tid) ?? 'other processes');
  const current = new Map();
  const switches = [];
  const waits = [];
  let pending = null;
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const cpu = Number(m[1]);
    const at = Number(m[2]);
    const fields = Object.fromEntries([...m[4].matchAll(/(\w+)=(\S+)/g)].map((f) => [f[1], f[2]]));
    if (m[3] === 'sched_switch') {
      const prev = Number(fields.prev_pid);
      const next = Number(fields.next_pid);
      switches.push({ at, cpu, next });
      current.set(cpu, next);
      if (prev === worker && fields.prev_state.startsWith('R')) pending = { at, cpu, cpus: new Map(current), how: 'preempted' };
      if (next === worker && pending) {
        waits.push({ ms: (at - pending.at) * 1e3, ...pending });
        pending = null;
      }
    } else if (m[3] === 'sched_wakeup' && Number(fields.pid) === worker) {
      pending = { at, cpu: Number(fields.target_cpu), cpus: new Map(current), how: 'woken' };
    } else if (m[3] === 'sched_migrate_task' && Number(fields.pid) === worker && pending) {
      pending.cpu = Number(fields.dest_cpu);
    }
  }
  const long = waits.filter((w) => w.ms > LONG_WAIT_S * 1e3);
  const preempted = long.filter((w) => w.how === 'preempted').length;
  const anotherIdle = long.filter((w) => [...w.cpus].some(([cpu, tid]) => cpu !== w.cpu && tid === 0)).length;
  const ranMeanwhile = new Map();
  const onItsCpu = new Map();
  for (const w of long) {
    const there = name(w.cpus.get(w.cpu) ?? 0);
    onItsCpu.set(there, (onItsCpu.get(there) ?? 0) + 1);
    for (const s of switches) {
      if (s.cpu === w.cpu && s.at > w.at && s.at < w.at + w.ms / 1e3 && s.next !== worker) ranMeanwhile.set(name(s.next), (ranMeanwhile.get(name(s.next)) ?? 0) + 1);
    }
  }
  return { waits: waits.length, waitMs: waits.reduce((s, w) => s + w.ms, 0), long: long.length, longMs: long.reduce((s, w) => s + w.ms, 0), preempted, anotherIdle, onItsCpu, ranMeanwhile };
}

ensureTracefs();
console.log(`| run | send lateness p99 (ms) | worker waits (total ms) | waits > 0.5 ms (total ms; preempted / woken) | of those, another CPU idle when it began | on the worker's CPU when it began | switched in on the worker's CPU during those waits |`);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (let run = 1; run <= runs; run++) {
  const done = rateRun(200, 20);
  await sleep(8000);
  const { classes, worker } = threadClasses();
  put('tracing_on', '0');
  put('trace', '');
  put('buffer_size_kb', '20000');
  put('set_event', EVENTS);
  put('tracing_on', '1');
  await sleep(traceSeconds * 1000);
  put('tracing_on', '0');
  const text = readFileSync(`${TRACING}/trace`, 'latin1');
  put('set_event', '');
  put('trace', '');
  const r = await done;
  const a = analyse(text, worker, classes);
  const list = (counts) => [...counts].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`| ${run} | ${r.lagP99.toFixed(2)} | ${a.waits} (${a.waitMs.toFixed(0)}) | ${a.long} (${a.longMs.toFixed(0)}; ${a.preempted} / ${a.long - a.preempted}) | ${a.anotherIdle} | ${list(a.onItsCpu)} | ${list(a.ranMeanwhile)} |`);
}
process.exit(0);
