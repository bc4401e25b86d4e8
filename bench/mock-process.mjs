// Start `relaymon mock` as its own process, so the load generator and the mock do not share an event loop.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function startMockProcess(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}bin/relaymon.js`, 'mock', '--port', '0', ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // A bench that fails before its stop() would leave the mock running, and the next bench would share the cores with it.
    const orphaned = () => child.kill('SIGTERM');
    process.once('exit', orphaned);
    child.once('close', () => process.off('exit', orphaned));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const m = /^listening on (\S+)$/.exec(line);
      if (!m) return reject(new Error(`mock said: ${line}`));
      resolve({ url: m[1], pid: child.pid, stop: () => new Promise((r) => (child.once('close', r), child.kill('SIGTERM'))) });
    });
    child.once('error', reject);
  });
}
