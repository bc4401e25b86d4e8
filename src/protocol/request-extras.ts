import type { RequestSpec, ToolDef } from './adapter.js';

/**
 * What a probe asks beyond plain text (RequestSpec tools, toolChoice,
 * responseSchema, reasoning), spelled the way each protocol's API spells it.
 * Each function returns only the fields to add to the body.
 */

type Body = Record<string, unknown>;

/** The token limit when reasoning is asked for: the reasoning budget on top of the answer's own limit. */
export function reasoningLimit(spec: RequestSpec): number {
  return spec.reasoning ? spec.reasoning.budgetTokens + spec.maxTokens : spec.maxTokens;
}

/** Chat Completions: tools[].function, tool_choice, response_format json_schema, reasoning_effort. */
export function openaiRequestExtras(spec: RequestSpec): Body {
  const out: Body = {};
  if (spec.tools && spec.tools.length > 0) {
    out['tools'] = spec.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  }
  if (spec.toolChoice !== undefined) {
    out['tool_choice'] = typeof spec.toolChoice === 'string' ? spec.toolChoice : { type: 'function', function: { name: spec.toolChoice.name } };
  }
  if (spec.responseSchema) {
    out['response_format'] = {
      type: 'json_schema',
      json_schema: { name: spec.responseSchema.name, schema: spec.responseSchema.schema, strict: true },
    };
  }
  if (spec.reasoning) out['reasoning_effort'] = spec.reasoning.effort;
  // cachePrefix: OpenAI caches long prompt prefixes by itself; there is nothing to mark.
  return out;
}

/** Responses: flat function tools, tool_choice, text.format json_schema, reasoning {effort, summary}. */
export function responsesRequestExtras(spec: RequestSpec): Body {
  const out: Body = {};
  if (spec.tools && spec.tools.length > 0) {
    out['tools'] = spec.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters }));
  }
  if (spec.toolChoice !== undefined) {
    out['tool_choice'] = typeof spec.toolChoice === 'string' ? spec.toolChoice : { type: 'function', name: spec.toolChoice.name };
  }
  if (spec.responseSchema) {
    out['text'] = { format: { type: 'json_schema', name: spec.responseSchema.name, schema: spec.responseSchema.schema, strict: true } };
  }
  // summary 'auto': without it the Responses API streams no reasoning text at all, only a count.
  if (spec.reasoning) out['reasoning'] = { effort: spec.reasoning.effort, summary: 'auto' };
  return out;
}

/**
 * Messages: tools with input_schema, tool_choice any/tool, and, there being
 * no structured-output field, the schema offered as one more tool that the
 * model is made to call; extended thinking with its token budget.
 */
export function anthropicRequestExtras(spec: RequestSpec): Body {
  const out: Body = {};
  const tools: ToolDef[] = [...(spec.tools ?? [])];
  if (spec.responseSchema) {
    tools.push({ name: spec.responseSchema.name, description: 'Answer by calling this tool with the answer as its input.', parameters: spec.responseSchema.schema });
  }
  if (tools.length > 0) out['tools'] = tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters }));
  if (spec.responseSchema) out['tool_choice'] = { type: 'tool', name: spec.responseSchema.name };
  else if (spec.toolChoice !== undefined) out['tool_choice'] = anthropicToolChoice(spec.toolChoice);
  if (spec.reasoning) out['thinking'] = { type: 'enabled', budget_tokens: spec.reasoning.budgetTokens };
  return out;
}

function anthropicToolChoice(choice: NonNullable<RequestSpec['toolChoice']>): Body {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.name };
}

/**
 * Anthropic's prompt caching: the system prompt as text blocks, the last one
 * marked cache_control ephemeral (everything up to the mark is the cached
 * prefix). Without a system prompt the first message's text carries the mark.
 */
export function anthropicCachedPrompt(system: string[], messages: { role: string; content: string }[]): { system?: unknown; messages: unknown[] } {
  const mark = { type: 'ephemeral' };
  if (system.length > 0) {
    return {
      system: system.map((t, i) => (i === system.length - 1 ? { type: 'text', text: t, cache_control: mark } : { type: 'text', text: t })),
      messages,
    };
  }
  return {
    messages: messages.map((m, i) => (i === 0 ? { role: m.role, content: [{ type: 'text', text: m.content, cache_control: mark }] } : m)),
  };
}
