import { EXIT } from '../core/errors.js';
import { writeStderr } from './io.js';

/**
 * First Ctrl-C (or SIGTERM) asks the command to stop cleanly and still print
 * its summary; a second one exits at once. Returns a function that removes the
 * handlers again.
 */
export function onInterrupt(stop: (signal: NodeJS.Signals) => void): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    count += 1;
    if (count === 1) {
      writeStderr(`\n${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping (again to exit at once)\n`);
      stop(signal);
    } else {
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
