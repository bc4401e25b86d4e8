import { z } from 'zod';
import { describeValue, looksLikeSecret } from './primitives.js';

/**
 * Turns zod issues into one line each: `path: expected …, got …`. The caller
 * prefixes the file name. Messages written in the schema start with "expected";
 * zod's own defaults are rewritten here in the same voice.
 */

type Issue = z.core.$ZodIssue;
type PathSeg = PropertyKey;

export function formatPath(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) {
    // A key pasted as a mapping key would otherwise be printed as part of the path.
    if (typeof seg === 'string' && looksLikeSecret(seg)) out += out === '' ? '(hidden)' : '.(hidden)';
    else if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z0-9_$-]+$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out === '' ? '(top level)' : out;
}

export interface FormattedIssue {
  path: string;
  message: string;
}

export function formatIssues(issues: readonly Issue[], schema: z.ZodType): FormattedIssue[] {
  const out: FormattedIssue[] = [];
  for (const issue of issues) out.push(...formatIssue(issue, [], schema));
  // Unions can report the same thing twice; keep each line once.
  const seen = new Set<string>();
  return out.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function formatIssue(issue: Issue, prefix: readonly PathSeg[], schema: z.ZodType): FormattedIssue[] {
  const path = [...prefix, ...issue.path];
  const at = (message: string): FormattedIssue[] => [{ path: formatPath(path), message }];
  const got = `, got ${describeValue(issue.input)}`;
  const ours = issue.message.startsWith('expected');

  switch (issue.code) {
    case 'custom':
      return at(issue.message);
    case 'invalid_type':
      if (ours) return at(issue.message + got);
      if (issue.input === undefined) return at(`expected ${typeName(issue.expected)}, but it is missing`);
      return at(`expected ${typeName(issue.expected)}${got}`);
    case 'invalid_value':
      return at(`expected one of ${issue.values.map((v) => String(v)).join(', ')}${got}`);
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: unknownKeyMessage(key, allowedKeys(schema, path)) }));
    case 'too_small':
      return at((ours ? issue.message : sizeMessage(issue.origin, 'min', Number(issue.minimum), issue.inclusive ?? true)) + got);
    case 'too_big':
      return at((ours ? issue.message : sizeMessage(issue.origin, 'max', Number(issue.maximum), issue.inclusive ?? true)) + got);
    case 'invalid_format':
      return at((ours ? issue.message : `expected a valid ${issue.format}`) + got);
    case 'invalid_key':
      return issue.issues.flatMap((inner) => formatIssue(inner, path, schema));
    case 'invalid_union':
      return formatUnion(issue, path, schema, ours);
    default:
      return at(issue.message);
  }
}

function formatUnion(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  path: PathSeg[],
  schema: z.ZodType,
  ours: boolean,
): FormattedIssue[] {
  const branches = issue.errors;
  const isTypeMismatch = (b: readonly Issue[]) => b.every((i) => i.code === 'invalid_type' && i.path.length === 0);
  // The branch that got past the type check is the one the user meant: report its problems.
  const meant = branches.find((b) => b.length > 0 && !isTypeMismatch(b));
  if (meant) return meant.flatMap((i) => formatIssue(i, path, schema));
  const got = `, got ${describeValue(issue.input)}`;
  if (ours) return [{ path: formatPath(path), message: issue.message + got }];
  const expected = branches.flatMap((b) => b.map((i) => (i.code === 'invalid_type' ? typeName(i.expected) : '')));
  const names = [...new Set(expected.filter((e) => e !== ''))];
  return [{ path: formatPath(path), message: `expected ${names.join(' or ') || 'a different value'}${got}` }];
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    object: 'a mapping (key: value)',
    record: 'a mapping (key: value)',
    array: 'a list',
  };
  return names[expected] ?? `a ${expected}`;
}

function sizeMessage(origin: string, side: 'min' | 'max', bound: number, inclusive: boolean): string {
  if (origin === 'string') {
    return side === 'min' && bound === 1 ? 'expected a non-empty string' : `expected ${side === 'min' ? 'at least' : 'at most'} ${bound} characters`;
  }
  if (origin === 'array') return `expected ${side === 'min' ? 'at least' : 'at most'} ${bound} item${bound === 1 ? '' : 's'}`;
  if (side === 'min') return inclusive ? `expected a number of at least ${bound}` : `expected a number above ${bound}`;
  return inclusive ? `expected a number of at most ${bound}` : `expected a number below ${bound}`;
}

const KEY_LIKE = /^(api[-_]?key|key|token|secret|password|authorization)$/i;

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  if (KEY_LIKE.test(key)) {
    return 'unknown key: keys never go in the config file; name the environment variable with apiKeyEnv, or a chmod-600 file with apiKeyFile';
  }
  const suggestion = closest(key, allowed);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  return allowed.length > 0 ? `unknown key${hint}; expected one of ${allowed.join(', ')}` : `unknown key${hint}`;
}

function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Walks the schema along a data path to list the keys allowed in the object found there. */
export function allowedKeys(schema: unknown, path: readonly PathSeg[]): string[] {
  const found = objectAt(schema, path);
  return found ? Object.keys(found.shape) : [];
}

function unwrap(schema: unknown): unknown {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) s = s.unwrap();
    else if (s instanceof z.ZodPipe) s = s.in;
    else return s;
  }
  return s;
}

function objectAt(schema: unknown, path: readonly PathSeg[]): z.ZodObject | null {
  const s = unwrap(schema);
  if (s instanceof z.ZodUnion) {
    for (const option of s.options) {
      const found = objectAt(option, path);
      if (found) return found;
    }
    return null;
  }
  if (path.length === 0) return s instanceof z.ZodObject ? s : null;
  const [head, ...rest] = path;
  if (s instanceof z.ZodObject && typeof head === 'string') {
    const shape = s.shape as Record<string, unknown>;
    return head in shape ? objectAt(shape[head], rest) : null;
  }
  if (s instanceof z.ZodRecord) return objectAt(s.valueType, rest);
  if (s instanceof z.ZodArray) return objectAt(s.element, rest);
  return null;
}
