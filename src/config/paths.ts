import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';

/** `~` and `~/x` mean the home folder, as in a shell; `~user` is not supported. */
export function expandHome(path: string, home: string = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}

/** Absolute path for `path` as written in a file that lives in `baseDir`. */
export function resolveFrom(baseDir: string, path: string): string {
  const expanded = expandHome(path);
  return isAbsolute(expanded) ? expanded : resolve(baseDir, expanded);
}

/** How to name a file in a message: relative when it is under the working directory, else absolute. */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}
