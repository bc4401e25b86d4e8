import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { expandHome } from './paths.js';

const VAR_RE = /\$\{([^}]*)\}/g;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replace every `${VAR}` in `value` with the variable's value. Whatever came
 * from the environment may be a secret, so it is registered for redaction.
 * Errors name `where` (e.g. `targets.relay.headers.X-Gateway-Key`) and the
 * variable, never a value. A variable set to the empty string counts as unset:
 * an empty credential is never what was meant.
 */
export function expandEnv(value: string, env: NodeJS.ProcessEnv, where: string): string {
  if (!value.includes('${')) return value;
  const expanded = value.replace(VAR_RE, (_match, name: string) => {
    if (!ENV_NAME_RE.test(name)) {
      throw new ConfigError(`${where}: "\${${name}}" is not a valid environment variable reference`, null, where);
    }
    const v = env[name];
    if (v === undefined || v === '') {
      throw new ConfigError(`${where}: environment variable ${name} is not set`, null, where);
    }
    registerSecret(v);
    return v;
  });
  if (expanded.includes('${')) {
    throw new ConfigError(`${where}: unterminated "\${" (write \${NAME})`, null, where);
  }
  registerSecret(expanded);
  return expanded;
}

/**
 * Read an API key from a file that only its owner can read (like ssh refuses a
 * world-readable private key). Surrounding whitespace, including the trailing
 * newline editors add, is trimmed.
 */
export async function readKeyFile(path: string): Promise<string> {
  const abs = resolve(expandHome(path));
  let mode: number;
  try {
    const st = await stat(abs);
    if (!st.isFile()) throw new ConfigError(`key file ${path} is not a regular file`, abs);
    mode = st.mode;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`key file not found: ${path}`, abs);
    throw new ConfigError(`cannot read key file ${path}: ${code ?? 'error'}`, abs);
  }
  // Windows has no POSIX modes to check; its ACLs are out of our reach here.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    throw new ConfigError(
      `key file ${path} is readable by group or others (mode ${octal}); restrict it with: chmod 600 ${path}`,
      abs,
    );
  }
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read key file ${path}: ${code ?? 'error'}`, abs);
  }
  const key = text.trim();
  if (key === '') throw new ConfigError(`key file ${path} is empty`, abs);
  registerSecret(key);
  return key;
}
