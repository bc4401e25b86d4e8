/**
 * Validation against the committed JSON Schema FILES in schema/ (not the zod
 * schemas they come from): what a user's script validating our output would
 * see. ajv in strict mode, so a schema keyword it does not know is an error
 * rather than ignored.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { ROOT } from '../helpers/cli.js';

// The date-time strings are checked by the schema's own `pattern`; ajv needs only to know the format name.
const ajv = new Ajv({ allErrors: true, strict: true, formats: { 'date-time': true } });
const compiled = new Map<string, ValidateFunction>();

export type SchemaFile = 'run-summary' | 'probe' | 'compare' | 'request-log' | 'conform';

function validator(name: SchemaFile): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema', `${name}.schema.json`), 'utf8')) as object);
    compiled.set(name, v);
  }
  return v;
}

/** The schema's complaints about `value` ("/path: message"), empty when it is valid. */
export function schemaErrors(name: SchemaFile, value: unknown): string[] {
  const v = validator(name);
  if (v(value)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}
