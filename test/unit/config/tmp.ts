import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** Temp folders made during one test, removed after it. */
const made: string[] = [];

afterEach(() => {
  while (made.length > 0) rmSync(made.pop()!, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relaymon-config-'));
  made.push(dir);
  return dir;
}

export function writeIn(dir: string, name: string, text: string, mode?: number): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  if (mode !== undefined) chmodSync(path, mode);
  return path;
}

/** Runs `fn`, expects it to throw, returns the error for assertions. */
export async function caught(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`threw a non-Error: ${String(err)}`);
  }
  throw new Error('expected an error, but none was thrown');
}

export const SENTINEL = 'sk-SENTINEL-7f3a9c1e5b2d4860aa11';
