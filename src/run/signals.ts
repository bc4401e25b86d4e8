import { EXIT } from '../core/errors.js';
import { writeStderr } from './io.js';

/**
 * A signal this soon after the first is the same interrupt delivered twice,
 * not a second Ctrl-C: GNU `timeout -s INT` signals the child and then its
 * whole process group, and other wrappers forward what the group already got.
 * No person presses Ctrl-C twice within it.
 */
export const DUPLICATE_SIGNAL_MS = 250;

/**
 * First Ctrl-C (or SIGTERM) asks the command to stop cleanly and still print
 * its summary; a second one exits at once. Returns a function that removes the
 * handlers again.
 */
export function onInterrupt(stop: (signal: NodeJS.Signals) => void, now: () => number = () => performance.now()): () => void {
  let firstAt: number | null = null;
  const handler = (signal: NodeJS.Signals): void => {
    if (firstAt === null) {
      firstAt = now();
      writeStderr(`\n${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping (again to exit at once)\n`);
      stop(signal);
    } else if (now() - firstAt >= DUPLICATE_SIGNAL_MS) {
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
