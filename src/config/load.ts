import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { ConfigError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { formatIssues } from './issues.js';
import { displayPath, resolveFrom } from './paths.js';
import { configSchema, type RelaymonConfig } from './schema.js';
import { noteSource } from './find.js';

export { CONFIG_FILE_NAMES, configSource, findConfigFile } from './find.js';

export async function loadConfig(path: string): Promise<RelaymonConfig> {
  const abs = resolve(path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`config file not found: ${path}`, abs);
    throw new ConfigError(`cannot read config file ${displayPath(abs)}: ${code ?? String(err)}`, abs, null, { cause: err });
  }
  const config = parseConfigText(text, abs);
  return withResolvedPaths(config, abs);
}

/** Parse and validate config text; `file` decides YAML or JSON (by extension) and names the file in errors. */
export function parseConfigText(text: string, file: string): RelaymonConfig {
  const data = extname(file).toLowerCase() === '.json' ? parseJson(text, file) : parseYaml(text, file);
  return validateConfig(data, file);
}

export function validateConfig(data: unknown, file: string): RelaymonConfig {
  const shown = displayPath(file);
  if (data === null || data === undefined) {
    throw new ConfigError(`${shown}: the file is empty; expected a mapping with targets, probes, thresholds, ...`, file);
  }
  const result = configSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    const lines = formatIssues(result.error.issues, configSchema);
    const message = lines.map((l) => `${shown}: ${l.path}: ${l.message}`).join('\n');
    throw new ConfigError(message, file, lines[0]?.path ?? null);
  }
  const config = result.data;
  // A webhook URL written out in the file is a bearer credential all the same.
  const webhook = config.notify?.webhook;
  if (webhook !== undefined && !webhook.includes('${')) registerSecret(webhook);
  noteSource(config, file);
  return config;
}

function withResolvedPaths(config: RelaymonConfig, file: string): RelaymonConfig {
  const dir = dirname(file);
  const targets = config.targets
    ? Object.fromEntries(
        Object.entries(config.targets).map(([name, t]) => [
          name,
          t.apiKeyFile === undefined ? t : { ...t, apiKeyFile: resolveFrom(dir, t.apiKeyFile) },
        ]),
      )
    : undefined;
  const resolved: RelaymonConfig = {
    ...config,
    ...(targets ? { targets } : {}),
    ...(config.prices !== undefined ? { prices: resolveFrom(dir, config.prices) } : {}),
  };
  noteSource(resolved, file);
  return resolved;
}

/** yaml, loaded with the first YAML file read (require(): parsing is synchronous): a run without a config file does not need it. */
const requireCjs = createRequire(import.meta.url);

function parseYaml(text: string, file: string): unknown {
  const { parseDocument } = requireCjs('yaml') as typeof import('yaml');
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const shown = displayPath(file);
    const lines = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const where = pos ? `${shown}:${pos.line}:${pos.col}` : shown;
      const reason = e.message.split(/ at line \d+, column \d+/)[0] ?? e.message;
      return `${where}: YAML syntax error: ${reason}`;
    });
    throw new ConfigError(lines.join('\n'), file);
  }
  try {
    return doc.toJS();
  } catch (err) {
    throw new ConfigError(`${displayPath(file)}: YAML error: ${(err as Error).message}`, file, null, { cause: err });
  }
}

function parseJson(text: string, file: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const pos = /at position (\d+)/.exec(message);
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    let where = displayPath(file);
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      const col = before.length - before.lastIndexOf('\n');
      where += `:${line}:${col}`;
    }
    throw new ConfigError(`${where}: JSON syntax error: ${reason}`, file, null, { cause: err });
  }
}
