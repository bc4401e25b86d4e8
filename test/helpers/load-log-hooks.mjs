/**
 * The resolve hook of load-log.cjs: one line "import <package>" in the log
 * for each npm package an ES module import resolves to, on any thread.
 */
import { appendFileSync } from 'node:fs';

// From the environment, not register()'s data: a worker thread's imports may reach a copy of this module that was given none.
const log = process.env.RELAYMON_LOAD_LOG ?? '';
const seen = new Set();

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(resolved.url);
  if (m && log !== '' && !seen.has(m[1])) {
    seen.add(m[1]);
    appendFileSync(log, `import ${m[1]}\n`);
  }
  return resolved;
}
