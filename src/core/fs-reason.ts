/**
 * Why a file could not be read or written, in words a user can act on. Pure;
 * shared by every command that opens a file (replay, cost --mix, the request
 * log, --json/--junit outputs).
 */

/** Why a file could not be opened or read: the system's words for the common codes, else the code itself. */
export function fsReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return code !== '' ? code : err instanceof Error ? err.message : String(err);
  }
}

/** Why a write failed, in words, with the system's code for searching; never the error's stack or its own message (it may hold a path with a secret in it, and redaction is the last line, not the first). */
export function writeReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const words: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOENT: 'no such file or directory',
    ENOTDIR: 'a part of the path is not a folder',
    EISDIR: 'it is a folder',
    EIO: 'input/output error',
    EFBIG: 'file too large',
    EBADF: 'the stream is closed',
    ERR_STREAM_DESTROYED: 'the stream is closed',
  };
  if (code === '') return 'write failed';
  return words[code] ? `${words[code]} (${code})` : code;
}
