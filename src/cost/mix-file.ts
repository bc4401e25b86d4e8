/**
 * Reading a `--mix FILE` (relaymon cost, relaymon evaluate): at most
 * MAX_MIX_BYTES of it, so that a wrong path (`/dev/zero`, a log, a dump)
 * is a usage error at once, not hundreds of megabytes read and parsed.
 * parseMix (cost-mix.ts) then bounds the number of models.
 */
import { open } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { fsReason } from '../core/fs-reason.js';
import { MAX_MIX_BYTES, mixTooLarge, parseMix, type MixEntry } from './cost-mix.js';

/** The file's text, or a usage error: unreadable, or larger than MAX_MIX_BYTES (read no further than that). */
export async function readMixText(path: string): Promise<string> {
  let text: string;
  try {
    const file = await open(path, 'r');
    try {
      // One byte over the limit tells "too large" without reading the rest; a device or a pipe has no size to stat.
      const buf = Buffer.alloc(MAX_MIX_BYTES + 1);
      let got = 0;
      for (;;) {
        const { bytesRead } = await file.read(buf, got, buf.length - got, null);
        if (bytesRead === 0) break;
        got += bytesRead;
        if (got > MAX_MIX_BYTES) throw new UsageError(mixTooLarge(path));
      }
      text = buf.subarray(0, got).toString('utf8');
    } finally {
      await file.close();
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read mix file ${path}: ${fsReason(err)}`, { cause: err });
  }
  return text;
}

/** A mix file, read (readMixText) and parsed (parseMix). */
export async function readMixFile(path: string): Promise<MixEntry[]> {
  return parseMix(await readMixText(path), path);
}
