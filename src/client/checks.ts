/**
 * What a probe of a non-text kind checks in its answer (issue #13): pure, from
 * the request that was sent, the folded response (accumulate.ts), the usage
 * and relaymon's own prompt count. Names are a contract (docs/contracts.md
 * "Probe checks"); details are one line and never quote the answer's text
 * beyond a short name or id, so no prompt or secret can leak through them.
 *
 * A failed check does not make the request fail: the relay answered, and
 * `ok`/`errorType` say how the exchange went. Checks say what the answer was
 * worth. A request that failed is not checked at all ([]): its error says why.
 */
import type { LocalCountKind, ProbeCheck, UsageSource } from '../core/result.js';
import type { UsageTolerance } from '../core/target.js';
import type { RequestSpec } from '../protocol/adapter.js';
import { schemaViolation } from '../core/json-schema.js';
import type { AssembledToolCall, ResponseAccumulator } from './accumulate.js';

export const PROBE_CHECK_NAMES = [
  'tool_called',
  'tool_call_id_stable',
  'tool_call_index_consistent',
  'tool_args_json',
  'tool_args_schema',
  'json_parses',
  'json_schema_valid',
  'cache_prefix_sent',
  'cache_reported',
  'reasoning_reported',
  'content_after_reasoning',
  'input_not_truncated',
] as const;
export type ProbeCheckName = (typeof PROBE_CHECK_NAMES)[number];

/**
 * An estimated prompt count (no public tokenizer for the model) can be off by
 * a fifth either way; a relay that cuts a long prompt cuts far more than that.
 */
export const ESTIMATE_SHORTFALL = 0.25;

export interface CheckInput {
  spec: RequestSpec;
  acc: Pick<ResponseAccumulator, 'toolCalls' | 'contentText' | 'reasoningText' | 'toolText' | 'firstReasoningAt' | 'firstContentAt' | 'firstVisibleAt' | 'finishReason'>;
  usage: { inputTokens: number | null; cachedInputTokens: number | null; reasoningTokens: number | null; usageSource: UsageSource | null };
  /** relaymon's own count of the prompt that was sent; null when it was not counted. */
  prompt: { tokens: number; complete: boolean; kind: LocalCountKind } | null;
  /** The usage tolerance for exact counts (config `honesty.usageTolerance`). */
  tolerance: UsageTolerance;
}

type Check = ProbeCheck & { name: ProbeCheckName };

const pass = (name: ProbeCheckName, detail: string): Check => ({ name, ok: true, detail });
const fail = (name: ProbeCheckName, detail: string): Check => ({ name, ok: false, detail });

/** The checks of a request that got an answer; [] for text probes and requests without a kind. */
export function probeChecks(input: CheckInput): ProbeCheck[] {
  const kind = input.spec.expect?.kind;
  switch (kind) {
    case 'tools':
      return toolChecks(input);
    case 'json':
      return jsonChecks(input);
    case 'cache':
      return cacheChecks(input);
    case 'reasoning':
      return reasoningChecks(input);
    case 'long':
      return longChecks(input);
    default:
      return [];
  }
}

const finishNote = (input: CheckInput): string => (input.acc.finishReason === null ? '' : ` (finish reason ${input.acc.finishReason})`);

/** Short, printable, never long enough to carry a prompt: ids and names are the relay's, not the user's text. */
function label(text: string, max = 64): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

// --- tools -------------------------------------------------------------------

function toolChecks(input: CheckInput): ProbeCheck[] {
  const calls = input.acc.toolCalls;
  if (calls.length === 0) {
    // The others have nothing to look at: absent, not passed (docs/contracts.md "Probe checks").
    return [fail('tool_called', `no tool call in the answer${finishNote(input)}`)];
  }
  const names = calls.map((c) => label(c.name ?? '?')).join(', ');
  return [
    pass('tool_called', `${calls.length} call${calls.length === 1 ? '' : 's'}: ${names}`),
    idStable(calls),
    indexConsistent(calls),
    ...argsChecks(input, calls),
  ];
}

function idStable(calls: readonly AssembledToolCall[]): Check {
  for (const [i, c] of calls.entries()) {
    if (c.ids.length > 1) return fail('tool_call_id_stable', `call ${i} changed id from ${label(c.ids[0]!)} to ${label(c.ids[1]!)}`);
    if (c.ids.length === 0) return fail('tool_call_id_stable', `call ${i} (index ${c.index}) has no id`);
  }
  return pass('tool_call_id_stable', calls.length === 1 ? 'one id for the call' : `one id for each of the ${calls.length} calls`);
}

function indexConsistent(calls: readonly AssembledToolCall[]): Check {
  const orphan = calls.find((c) => c.orphan);
  if (orphan) return fail('tool_call_index_consistent', `a fragment at index ${orphan.index} continues no call (no id or name was sent at that index)`);
  const renamed = calls.find((c) => c.names.length > 1);
  if (renamed) return fail('tool_call_index_consistent', `the call at index ${renamed.index} changed name from ${label(renamed.names[0]!)} to ${label(renamed.names[1]!)}`);
  const seen = new Map<string, number>();
  for (const c of calls) {
    for (const id of c.ids) {
      const other = seen.get(id);
      if (other !== undefined) return fail('tool_call_index_consistent', `call id ${label(id)} appears at index ${other} and ${c.index}`);
      seen.set(id, c.index);
    }
  }
  return pass('tool_call_index_consistent', `indexes ${calls.map((c) => c.index).join(', ')}`);
}

/**
 * JSON.parse, with its error in words that quote no more of the text than the
 * one offending character: V8's message goes on with a snippet of the input
 * (`Unexpected token 'T', "The quick "... is not valid JSON`), and the input
 * is the model's answer, which may echo the prompt.
 */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const raw = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    const head = raw.split(', "')[0]!.replace(/ in JSON at position \d+.*$/, '');
    const at = /position (\d+)/.exec(raw);
    return { ok: false, message: label(`${head}${at ? ` at character ${at[1]}` : ''} (${text.length} characters)`, 120) };
  }
}

/** Anthropic sends no input_json_delta for an empty input: no fragments mean `{}`. */
function parseArgs(args: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (args.trim() === '') return { ok: true, value: {} };
  return parseJson(args);
}

function argsChecks(input: CheckInput, calls: readonly AssembledToolCall[]): Check[] {
  const parsed = calls.map((c) => ({ call: c, args: parseArgs(c.args) }));
  const bad = parsed.find((p) => !p.args.ok);
  const jsonCheck = bad && !bad.args.ok
    ? fail('tool_args_json', `arguments of ${label(bad.call.name ?? `call at index ${bad.call.index}`)} are not JSON: ${bad.args.message}`)
    : pass('tool_args_json', 'every call\'s arguments parse as JSON');
  return [jsonCheck, argsSchema(input, parsed)];
}

function argsSchema(input: CheckInput, parsed: readonly { call: AssembledToolCall; args: ReturnType<typeof parseArgs> }[]): Check {
  const tools = input.spec.tools ?? [];
  for (const { call, args } of parsed) {
    const name = label(call.name ?? `call at index ${call.index}`);
    const tool = tools.find((t) => t.name === call.name);
    if (!tool) return fail('tool_args_schema', `${name} was not offered (offered: ${tools.map((t) => label(t.name)).join(', ') || 'none'})`);
    if (!args.ok) return fail('tool_args_schema', `arguments of ${name} not checked: not JSON`);
    const violation = schemaViolation(tool.parameters, args.value);
    if (violation !== null) return fail('tool_args_schema', `arguments of ${name}: ${violation}`);
  }
  return pass('tool_args_schema', 'every call\'s arguments match its tool\'s parameters');
}

// --- json --------------------------------------------------------------------

/**
 * The structured answer: the content, or, where the protocol has no native
 * structured output (Anthropic, whose adapter offers the schema as one forced
 * tool), the arguments of the call to the tool named after the schema.
 */
function structuredText(input: CheckInput): { text: string; from: string } {
  const name = input.spec.responseSchema?.name;
  const call = input.acc.toolCalls.find((c) => c.name === name);
  if (input.acc.contentText.trim() === '' && call) return { text: call.args, from: `the ${label(call.name ?? '')} tool call` };
  return { text: input.acc.contentText, from: 'the answer' };
}

function jsonChecks(input: CheckInput): ProbeCheck[] {
  const { text, from } = structuredText(input);
  if (text.trim() === '') return [fail('json_parses', `${from} is empty${finishNote(input)}`)];
  const parsed = parseJson(text);
  if (!parsed.ok) return [fail('json_parses', `${from} is not JSON: ${parsed.message}${finishNote(input)}`)];
  const value = parsed.value;
  const schema = input.spec.responseSchema?.schema;
  const violation = schema ? schemaViolation(schema, value) : null;
  return [
    pass('json_parses', `${from} parses as JSON (${text.length} characters)`),
    violation === null ? pass('json_schema_valid', 'matches the schema') : fail('json_schema_valid', violation),
  ];
}

/** A probe has no n/a: without usage a usage check fails, and says it could not tell. */
const NO_USAGE = 'the relay reported no usage; cannot tell';

// --- cache -------------------------------------------------------------------

function cacheChecks(input: CheckInput): ProbeCheck[] {
  const prompt = input.prompt === null ? 'a cacheable prefix' : `a prompt of ${input.prompt.tokens} tokens (counted)`;
  if (input.spec.expect?.pair !== 'second') {
    // The first of the pair writes the cache; whether the relay passes reads on is the second's check.
    return [pass('cache_prefix_sent', `${prompt} sent; the second request of the pair checks cache_reported`)];
  }
  const { inputTokens, cachedInputTokens, usageSource } = input.usage;
  if (usageSource !== 'reported') return [fail('cache_reported', NO_USAGE)];
  if (cachedInputTokens === null) return [fail('cache_reported', `no cached-token count in the usage (same prefix sent twice; ${prompt})`)];
  if (cachedInputTokens <= 0) return [fail('cache_reported', `0 cached tokens of ${inputTokens ?? '?'} input tokens on the repeated prefix (some models cache only longer prefixes)`)];
  // Cached tokens are part of the input (protocol/adapter.ts usage): more cached than input is a count that cannot be true.
  if (inputTokens === null) return [fail('cache_reported', `reported ${cachedInputTokens} cached tokens but no input token count`)];
  if (cachedInputTokens > inputTokens) return [fail('cache_reported', `reported ${cachedInputTokens} cached of ${inputTokens} input tokens`)];
  return [pass('cache_reported', `${cachedInputTokens} of ${inputTokens} input tokens cached`)];
}

// --- reasoning -----------------------------------------------------------------

function reasoningChecks(input: CheckInput): ProbeCheck[] {
  const { acc } = input;
  const reported = input.usage.reasoningTokens;
  const streamed = acc.reasoningText.length > 0;
  const reasoned = (reported ?? 0) > 0 || streamed;
  const reportedCheck = reasoned
    ? pass('reasoning_reported', [reported !== null && reported > 0 ? `${reported} reasoning tokens reported` : 'no reasoning token count', streamed ? `${acc.reasoningText.length} characters of reasoning streamed` : 'no reasoning text streamed'].join(', '))
    : fail('reasoning_reported', `no reasoning tokens reported (${reported === null ? 'no count' : '0'}) and no reasoning streamed`);
  const visible = acc.contentText.trim().length > 0 || acc.toolText.length > 0;
  let after: Check;
  if (!visible) after = fail('content_after_reasoning', `no visible answer${reasoned ? ' after the reasoning' : ''}${finishNote(input)}`);
  else if (acc.firstReasoningAt !== null && acc.firstVisibleAt !== null && acc.firstVisibleAt < acc.firstReasoningAt)
    after = fail('content_after_reasoning', `the answer began ${(acc.firstReasoningAt - acc.firstVisibleAt).toFixed(0)} ms before the reasoning`);
  else if (acc.firstReasoningAt !== null && acc.firstVisibleAt !== null)
    after = pass('content_after_reasoning', `the answer began ${(acc.firstVisibleAt - acc.firstReasoningAt).toFixed(0)} ms after the first reasoning token`);
  else after = pass('content_after_reasoning', 'a visible answer came');
  return [reportedCheck, after];
}

// --- long ----------------------------------------------------------------------

function longChecks(input: CheckInput): ProbeCheck[] {
  const { inputTokens, usageSource } = input.usage;
  const prompt = input.prompt;
  if (usageSource !== 'reported') return [fail('input_not_truncated', NO_USAGE)];
  if (prompt === null || !prompt.complete) return [fail('input_not_truncated', 'relaymon could not count the prompt, so cannot compare')];
  if (inputTokens === null) return [fail('input_not_truncated', `the relay reported no input tokens (counted ${prompt.tokens})`)];
  const allowed =
    prompt.kind === 'exact' ? input.tolerance.tokens + (input.tolerance.percent / 100) * prompt.tokens : ESTIMATE_SHORTFALL * prompt.tokens;
  const shortBy = prompt.tokens - inputTokens;
  const what = `billed ${inputTokens} input tokens, counted ${prompt.kind === 'exact' ? '' : '≈'}${prompt.tokens}`;
  if (shortBy > allowed) return [fail('input_not_truncated', `${what}: ${shortBy} fewer, the prompt was cut or billed short`)];
  return [pass('input_not_truncated', what)];
}
