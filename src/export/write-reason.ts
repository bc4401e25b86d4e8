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
