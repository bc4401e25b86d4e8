import { Ajv } from 'ajv';
import { encode } from 'gpt-tokenizer';
import { describe, expect, it } from 'vitest';
import { exampleFor, fragment } from '../../../src/mock/tools.js';

const ajv = new Ajv({ strict: false });

const SCHEMAS: Record<string, unknown> = {
  flat: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 14 }, metric: { type: 'boolean' } },
    required: ['city', 'days', 'metric'],
    additionalProperties: false,
  },
  enumAndBounds: {
    type: 'object',
    properties: {
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      temp: { type: 'number', exclusiveMinimum: 100 },
      count: { type: 'integer', maximum: -5 },
      code: { type: 'string', minLength: 30, maxLength: 40 },
      short: { type: 'string', maxLength: 3 },
      when: { type: 'string', format: 'date-time' },
      fixed: { const: 'v1' },
    },
    required: ['unit', 'temp', 'count', 'code', 'short', 'when', 'fixed'],
  },
  nested: {
    type: 'object',
    properties: {
      items: {
        type: 'array',
        minItems: 2,
        items: {
          type: 'object',
          properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
          required: ['name', 'tags'],
        },
      },
      meta: { type: 'object', properties: { ok: { type: ['boolean', 'null'] } } },
    },
    required: ['items', 'meta'],
  },
  refsAndUnions: {
    type: 'object',
    $defs: { point: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'] } },
    properties: { at: { $ref: '#/$defs/point' }, either: { anyOf: [{ type: 'null' }, { type: 'integer' }] } },
    required: ['at', 'either'],
  },
  optionalOnly: { type: 'object', properties: { note: { type: 'string' } } },
};

describe('exampleFor', () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    it(`generates a value valid against the ${name} schema`, () => {
      const value = exampleFor(schema);
      const validate = ajv.compile(schema as object);
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    });
  }

  it('fills required properties, the first enum value, and bounds', () => {
    const v = exampleFor(SCHEMAS['enumAndBounds']) as Record<string, unknown>;
    expect(v['unit']).toBe('celsius');
    expect(v['temp']).toBeGreaterThan(100);
    expect(v['count']).toBe(-5);
    expect(v['fixed']).toBe('v1');
    expect((exampleFor(SCHEMAS['nested']) as { items: unknown[] }).items).toHaveLength(2);
  });

  it('ends a recursive $ref', () => {
    const schema = { $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' } }, required: ['next'] } }, $ref: '#/$defs/node' };
    expect(() => JSON.stringify(exampleFor(schema))).not.toThrow();
  });
});

describe('fragment', () => {
  it('cuts text into pieces that join back and whose tokens add up to the whole', () => {
    const text = JSON.stringify(exampleFor(SCHEMAS['nested']));
    const f = fragment(text);
    expect(f.texts.join('')).toBe(text);
    expect(f.texts.length).toBeGreaterThan(5);
    expect(f.tokens.reduce((a, b) => a + b, 0)).toBe(encode(text).length);
  });
});
