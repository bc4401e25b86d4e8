/**
 * What the mock puts in a tool call's arguments or a structured answer: a
 * value that validates against the request's JSON schema, cut into the
 * fragments it is streamed in.
 */
import { countWith, splitPattern } from '../tokens/encodings.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Nesting deeper than this gets the simplest value of its type: a recursive $ref must still end. */
const MAX_DEPTH = 8;

/** `#/$defs/x` or `#/definitions/x` inside the root schema; anything else is not followed. */
function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return {};
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isRecord(node)) return {};
    node = node[key];
  }
  return node ?? {};
}

function numberIn(s: Record<string, unknown>, preferred: number, integer: boolean): number {
  let lo = -Infinity;
  let hi = Infinity;
  if (typeof s['minimum'] === 'number') lo = s['minimum'];
  if (typeof s['exclusiveMinimum'] === 'number') lo = Math.max(lo, s['exclusiveMinimum'] + (integer ? 1 : 0.5));
  if (typeof s['maximum'] === 'number') hi = s['maximum'];
  if (typeof s['exclusiveMaximum'] === 'number') hi = Math.min(hi, s['exclusiveMaximum'] - (integer ? 1 : 0.5));
  let v = Math.min(Math.max(preferred, lo), hi);
  if (integer) v = Number.isFinite(lo) && v === lo ? Math.ceil(v) : Math.floor(v);
  return v;
}

const STRING_FORMATS: Record<string, string> = {
  date: '2025-01-15',
  'date-time': '2025-01-15T09:30:00Z',
  time: '09:30:00',
  email: 'user@example.com',
  uri: 'https://example.com/',
  uuid: '123e4567-e89b-12d3-a456-426614174000',
};

function stringFor(s: Record<string, unknown>, name: string): string {
  const format = typeof s['format'] === 'string' ? STRING_FORMATS[s['format']] : undefined;
  let v = format ?? `example ${name}`;
  const min = typeof s['minLength'] === 'number' ? s['minLength'] : 0;
  const max = typeof s['maxLength'] === 'number' ? s['maxLength'] : Infinity;
  while (v.length < min) v += ' x';
  if (v.length > max) v = v.slice(0, Math.max(0, max));
  return v;
}

/** The first type a schema allows, `null` only when it allows nothing else. */
function typeOf(s: Record<string, unknown>): string | null {
  const t = s['type'];
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const named = t.filter((x): x is string => typeof x === 'string');
    return named.find((x) => x !== 'null') ?? named[0] ?? null;
  }
  if (isRecord(s['properties'])) return 'object';
  if (s['items'] !== undefined) return 'array';
  return null;
}

/**
 * A value valid against `schema`: required properties of objects (every
 * declared property when none is marked required), the first enum/const
 * value, numbers inside their bounds, strings of the right length. `pattern`
 * and `multipleOf` are not honoured: the mock answers, it does not solve.
 */
export function exampleFor(schema: unknown, name = 'value', root: unknown = schema, depth = 0): Json {
  if (!isRecord(schema)) return `example ${name}`;
  if (typeof schema['$ref'] === 'string' && depth < MAX_DEPTH) {
    return exampleFor(resolveRef(root, schema['$ref']), name, root, depth + 1);
  }
  if (schema['const'] !== undefined) return schema['const'] as Json;
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0] as Json;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list) && list.length > 0) {
      const pick = list.find((s) => !(isRecord(s) && s['type'] === 'null')) ?? list[0];
      return exampleFor(pick, name, root, depth + 1);
    }
  }
  switch (typeOf(schema)) {
    case 'string':
      return stringFor(schema, name);
    case 'integer':
      return numberIn(schema, 3, true);
    case 'number':
      return numberIn(schema, 2.5, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 1;
      const max = typeof schema['maxItems'] === 'number' ? schema['maxItems'] : Infinity;
      const count = depth >= MAX_DEPTH ? 0 : Math.min(Math.max(min, 1), max);
      const items = Array.isArray(schema['prefixItems']) ? schema['prefixItems'] : null;
      return Array.from({ length: items ? Math.max(count, items.length) : count }, (_, i) =>
        exampleFor(items?.[i] ?? schema['items'], name, root, depth + 1),
      );
    }
    case 'object': {
      const props = isRecord(schema['properties']) ? schema['properties'] : {};
      const required = Array.isArray(schema['required']) ? schema['required'].filter((k): k is string => typeof k === 'string') : [];
      const keys = required.length > 0 ? required : Object.keys(props);
      const out: { [key: string]: Json } = {};
      if (depth >= MAX_DEPTH) return out;
      for (const key of keys) out[key] = exampleFor(props[key] ?? {}, key, root, depth + 1);
      return out;
    }
    default:
      return `example ${name}`;
  }
}

/** Text cut into the pieces it is streamed in, with the tokens each piece costs. */
export interface Fragments {
  texts: string[];
  tokens: number[];
}

/**
 * One fragment per pre-token of o200k_base (the pieces byte-pair merging
 * works within), so each fragment is about one token and their token counts
 * add up to the count of the whole text: usage stays honest and a max_tokens
 * cap can cut between fragments.
 */
export function fragment(text: string): Fragments {
  const texts = text.match(splitPattern('o200k_base')) ?? [];
  if (texts.join('') !== text) return { texts: [text], tokens: [countWith('o200k_base', text)] };
  return { texts, tokens: texts.map((t) => countWith('o200k_base', t)) };
}
