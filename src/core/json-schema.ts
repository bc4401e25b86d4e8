/**
 * JSON Schema validation for probe kinds (`tools` arguments, `json` answers):
 * the config checks that a schema compiles (config/schema.ts), the client
 * checks an answer against it (client/checks.ts). Ajv does the work; it is
 * loaded on first use, with a synchronous require, so that a run of text
 * probes (and every command that sends none) never pays for loading it, and
 * the checks stay synchronous. Each schema object is compiled once: probes send
 * the same spec, so the same schema object, over and over.
 */
import { createRequire } from 'node:module';
import type { Ajv as AjvInstance, ErrorObject, ValidateFunction } from 'ajv';

type AjvModule = typeof import('ajv');

let ajv: AjvInstance | null = null;
const compiled = new WeakMap<object, ValidateFunction | string>();

function instance(): AjvInstance {
  if (ajv === null) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as AjvModule;
    // strict: false — a schema written for a model provider may carry keywords ajv does not know (e.g. "strict"
    // hints); they are ignored, as the provider would. allErrors: false — the first error is what the detail says.
    ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
  }
  return ajv;
}

/** Compiles once per schema object; a string is why it does not compile. */
function compile(schema: Record<string, unknown>): ValidateFunction | string {
  const hit = compiled.get(schema);
  if (hit !== undefined) return hit;
  let out: ValidateFunction | string;
  try {
    out = instance().compile(schema);
  } catch (err) {
    out = oneLine(err instanceof Error ? err.message : String(err));
  }
  compiled.set(schema, out);
  return out;
}

/** Null when `schema` is a JSON schema ajv can compile, else why not (one line). */
export function schemaProblem(schema: Record<string, unknown>): string | null {
  const v = compile(schema);
  return typeof v === 'string' ? v : null;
}

/**
 * Null when `value` satisfies `schema`, else the first violation in words:
 * "missing required property city", "/unit must be one of: celsius, fahrenheit".
 */
export function schemaViolation(schema: Record<string, unknown>, value: unknown): string | null {
  const v = compile(schema);
  if (typeof v === 'string') return `the schema does not compile: ${v}`;
  if (v(value)) return null;
  const err = v.errors?.[0];
  return err ? describeError(err) : 'does not match the schema';
}

function describeError(err: ErrorObject): string {
  const at = err.instancePath === '' ? '' : `${err.instancePath} `;
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return `${at}missing required property ${String(params['missingProperty'])}`.trim();
    case 'additionalProperties':
      return `${at}unexpected property ${String(params['additionalProperty'])}`.trim();
    case 'enum':
      return `${at}must be one of: ${(Array.isArray(params['allowedValues']) ? params['allowedValues'] : []).map((v) => JSON.stringify(v)).join(', ')}`.trim();
    default:
      return oneLine(`${at}${err.message ?? 'does not match the schema'}`.trim());
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? flat.slice(0, 199) + '…' : flat;
}
