import { accessSync, constants, realpathSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { createRequire } from 'node:module';
import { UsageError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { reportOutputFailure, stdoutBroken } from './terminal.js';
import { withDefaultSignals } from './signals.js';
import type { RelaymonConfig } from '../config/schema.js';

/** The terminal half (stdout, stderr, the output-failure count) is in terminal.ts: main.ts needs it before any command, without write-file-atomic. */
/**
 * write-file-atomic, loaded on the first file written (require(): writeOutputFile is synchronous):
 * every sending command imports this file, and most runs write no --summary or --junit.
 */
const requireCjs = createRequire(import.meta.url);
let atomicWriter: typeof import('write-file-atomic') | null = null;
function writeFileAtomic(): typeof import('write-file-atomic') {
  atomicWriter ??= requireCjs('write-file-atomic') as typeof import('write-file-atomic');
  return atomicWriter;
}

export { guardPipes, outputFailed, processIo, reportOutputFailure, writeStderr, writeStdout, type Io } from './terminal.js';

/**
 * Refuses an output path (--summary, --junit, --log) that cannot be written,
 * before any request is sent: finding out after a paid run would lose its
 * results.
 */
export function checkOutputPath(path: string | undefined, flag: string): void {
  if (path === undefined) return;
  // '' resolves to the working folder, and "is a folder" would not say what went wrong.
  if (path.trim() === '') throw new UsageError(`${flag}: give a file name (it was empty)`);
  const full = resolvePath(path);
  let isDir = false;
  try {
    isDir = statSync(full).isDirectory();
  } catch {
    const dir = dirname(full);
    try {
      if (!statSync(dir).isDirectory()) throw new UsageError(`${flag} ${path}: ${dir} is not a folder`);
      accessSync(dir, constants.W_OK);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`${flag} ${path}: cannot create it (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `no folder ${dir}` : 'no permission to write there'})`);
    }
    return;
  }
  if (isDir) throw new UsageError(`${flag} ${path}: is a folder; give a file name`);
  try {
    accessSync(full, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${path}: not writable`);
  }
}

/** A file the command reads, named for the user, e.g. "the config file (--config my.yaml)". */
export interface InputFile {
  path: string;
  label: string;
}

/** A file the command writes: its flag, and its path when the flag was given. */
export interface OutputFile {
  flag: string;
  path: string | undefined;
}

/** checkOutputPath for each file a command writes, in their order: one list, so no output flag is left unchecked. */
export function checkOutputPaths(outputs: readonly OutputFile[]): void {
  for (const o of outputs) checkOutputPath(o.path, o.flag);
}

/**
 * Nothing the user recorded is lost. Every output is written afresh, so one
 * that is the same file as an input (the recording being replayed, the
 * config, a --mix/--from/--prices file, a key file) would destroy it, and two
 * outputs on one file would leave only the last. Both are refused before
 * anything is sent. "Same file" sees past differing names: real paths (`./`,
 * `..`, symlinks) and, for files that exist, device + inode (hard links).
 * Outputs to devices, FIFOs and /dev or /proc paths are exempt: they are
 * written in place (writeOutputFile) and destroy nothing, so two outputs to
 * /dev/null are fine.
 */
export function refuseClobbering(inputs: readonly InputFile[], outputs: readonly OutputFile[]): void {
  const written = outputs.filter((o): o is { flag: string; path: string } => o.path !== undefined && !isSpecialFile(o.path));
  written.forEach((out, i) => {
    const input = inputs.find((f) => sameFile(f.path, out.path));
    if (input) throw new UsageError(`${out.flag} ${out.path} is ${input.label}: writing it would destroy it; choose another file`);
    const other = written.slice(0, i).find((o) => sameFile(o.path, out.path));
    if (other) throw new UsageError(`${other.flag} ${other.path} and ${out.flag} ${out.path} are the same file: one would destroy the other; choose another file for one of them`);
  });
}

function sameFile(a: string, b: string): boolean {
  if (canonical(a) === canonical(b)) return true;
  const [sa, sb] = [statOrNull(a), statOrNull(b)];
  return sa !== null && sb !== null && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** The file a path names once symlinks, `./` and `..` are resolved; for a file not there yet, its folder's real path and its name. */
function canonical(path: string): string {
  const full = resolvePath(path);
  try {
    return realpathSync(full);
  } catch {
    try {
      return join(realpathSync(dirname(full)), basename(full));
    } catch {
      return full;
    }
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Writes an output file (--summary, --junit): redacted, and atomically: the
 * text goes to a temporary file beside the target, is flushed to disk, and is
 * renamed over the target, so a kill or a full disk mid-write leaves the old
 * file or the new one, never a torn one (write-file-atomic does the
 * temp-fsync-rename dance and removes the temporary file if it fails). A
 * target that exists and is not a regular file (a FIFO, a device), or is
 * reached through /dev or /proc (/dev/stdout), is written in place: renaming
 * over it would replace the device itself. A failure is reported as an output failure (exit 2) and the run's
 * other outputs are still written. Returns whether it was written;
 * `resultsOnStdout: false` for a command whose file is its only result (report).
 */
export function writeOutputFile(path: string, text: string, flag: string, resultsOnStdout = true): boolean {
  const data = redact(text);
  try {
    // Appending: a device ignores it, and /dev/stdout redirected to a file must not be truncated under the shell's redirect.
    const inPlace = (): void => void writeFileSync(path, data, { flag: 'a' });
    if (!isSpecialFile(path)) writeFileAtomic().sync(path, data, { encoding: 'utf8' });
    else if (isFifo(path)) withDefaultSignals(inPlace);
    else inPlace();
    return true;
  } catch (err) {
    reportOutputFailure(`${flag} ${path}`, err, !resultsOnStdout || stdoutBroken() ? '' : '; the results are on stdout');
    return false;
  }
}

function isFifo(path: string): boolean {
  try {
    return statSync(path).isFIFO();
  } catch {
    return false;
  }
}

function isSpecialFile(path: string): boolean {
  // /dev/stdout or /proc/self/fd/1 redirected to a regular file: renaming over it would detach the shell's redirect.
  if (/^\/(dev|proc)\//.test(resolvePath(path))) return true;
  try {
    return !statSync(path).isFile();
  } catch {
    return false; // not there yet: created as a regular file
  }
}

/**
 * The files a run reads through its context, named for refuseClobbering (io.ts):
 * the config file loaded, its price file, --prices, and the targets' key files.
 */
export function contextInputs(
  ctx: { config: RelaymonConfig | null; configPath: string | null },
  flags: { config?: string | undefined; prices?: string | undefined },
): InputFile[] {
  const files: InputFile[] = [];
  if (ctx.configPath !== null) files.push({ path: ctx.configPath, label: `the config file (${flags.config !== undefined ? `--config ${flags.config}` : ctx.configPath})` });
  if (ctx.config?.prices !== undefined) files.push({ path: ctx.config.prices, label: `the config's price file (prices: ${ctx.config.prices})` });
  if (flags.prices !== undefined) files.push({ path: flags.prices, label: `the price file (--prices ${flags.prices})` });
  for (const [name, t] of Object.entries(ctx.config?.targets ?? {})) {
    if (t.apiKeyFile !== undefined) files.push({ path: t.apiKeyFile, label: `the key file of target "${name}" (apiKeyFile)` });
  }
  return files;
}
