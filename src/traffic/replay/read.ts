import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UsageError } from '../../core/errors.js';
import { fsReason } from '../../core/fs-reason.js';
import { ReplayParser } from './parser.js';
import type { ReplayFile } from './replay-file.js';

/**
 * Streams the file line by line, so a large capture is never held as one
 * string; only the parsed requests are kept.
 */
export async function readReplayFile(path: string): Promise<ReplayFile> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new UsageError(`cannot read replay file ${path}: ${fsReason(err)}`, { cause: err });
  }
  const parser = new ReplayParser();
  try {
    if ((await handle.stat()).isDirectory()) throw new UsageError(`cannot read replay file ${path}: it is a directory`);
    const lines = createInterface({ input: handle.createReadStream({ encoding: 'utf8', autoClose: false }), crlfDelay: Infinity });
    for await (const line of lines) parser.push(line);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read replay file ${path}: ${fsReason(err)}`, { cause: err });
  } finally {
    await handle.close();
  }
  return parser.finish(path);
}
