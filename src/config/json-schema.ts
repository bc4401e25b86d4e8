import { z } from 'zod';
import { configSchema } from './schema.js';

export const SCHEMA_FILE = 'schema/relaymon.config.schema.json';

/**
 * The JSON Schema editors use for relaymon.config.yaml. Generated from the zod
 * schema (input side, so defaulted fields are optional), draft-07 because that
 * is what YAML language servers understand best. Refinements (durations,
 * cross-references) are checked by relaymon itself, not by the editor.
 */
export function buildJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-7' });
  const doc = { ...schema, title: 'relaymon config', description: 'relaymon.config.yaml: targets, probes, thresholds, alerts' };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
