/**
 * The misbehaviour knobs: one per way a relay breaks the protocol, each
 * failing exactly one `relaymon conform` check. Kept apart from options.ts
 * so the table that the CLI, the validation and the one-line description
 * read stays in one place.
 */
import { UsageError } from '../core/errors.js';

export const MANGLE_MODES = ['id', 'index', 'args'] as const;
export type MangleMode = (typeof MANGLE_MODES)[number];

export interface MisbehaviourOptions {
  /** Usage claimed early in a stream is higher than the final figure. */
  decreasingUsage?: boolean;
  /** Streams end without [DONE] / message_stop / response.completed. */
  omitTerminator?: boolean;
  /** The last content delta arrives after its block or item was closed. */
  misorderEvents?: boolean;
  /** An error inside a stream becomes a clean, normal-looking end. */
  swallowStreamErrors?: boolean;
  /** max_tokens / max_output_tokens is ignored: full answers, finish reason stop. */
  ignoreMaxTokens?: boolean;
  /** The whole stream is written at once, when the answer is complete. */
  bufferStream?: boolean;
  mangleToolCalls?: MangleMode | null;
  /** Structured answers come wrapped in a markdown fence, so they do not parse. */
  invalidJsonOutput?: boolean;
  /** Cached prompt tokens are never reported (billed at full price). */
  noCacheReport?: boolean;
  /** Reasoning deltas and reasoning token counts are stripped. */
  dropReasoning?: boolean;
  /** Error answers are HTML pages instead of the protocol's JSON error. */
  htmlErrors?: boolean;
}

export type SwitchKey = Exclude<keyof MisbehaviourOptions, 'mangleToolCalls'>;

/** The on/off knobs: option key, flag, --help text, description in the startup line. */
export const SWITCHES: ReadonlyArray<{ key: SwitchKey; flag: string; help: string; shown: string }> = [
  {
    key: 'decreasingUsage',
    flag: '--decreasing-usage',
    help: 'claim more output tokens early in each stream than at its end (streams only; Chat Completions: a usage object in the first chunk, when include_usage; Anthropic: message_start; Responses: response.in_progress)',
    shown: 'usage decreasing',
  },
  {
    key: 'omitTerminator',
    flag: '--omit-terminator',
    help: 'end every stream without [DONE] / message_stop / response.completed (for Responses, whose usage rides on the terminator, usage goes too); not applicable to non-streamed answers',
    shown: 'no stream terminator',
  },
  {
    key: 'misorderEvents',
    flag: '--misorder-events',
    help: 'send the last content delta after its block/item is closed (Chat Completions: after the finish_reason chunk); streams only',
    shown: 'events misordered',
  },
  {
    key: 'swallowStreamErrors',
    flag: '--swallow-stream-errors',
    help: 'turn an error inside a stream (x-relaymon-conform: stream-error, stream-overloaded) into a normal-looking end; HTTP error answers are unchanged',
    shown: 'stream errors swallowed',
  },
  {
    key: 'ignoreMaxTokens',
    flag: '--ignore-max-tokens',
    help: 'ignore max_tokens / max_output_tokens: the whole answer, finish reason stop / end_turn / completed',
    shown: 'max_tokens ignored',
  },
  {
    key: 'bufferStream',
    flag: '--buffer-stream',
    help: 'hold every stream back and send it in one piece when the answer is complete (headers included); not applicable to non-streamed answers',
    shown: 'streams buffered',
  },
  {
    key: 'invalidJsonOutput',
    flag: '--invalid-json-output',
    help: 'wrap structured answers (response_format / text.format json_schema; Anthropic: the forced tool_choice {type:"tool"}) in a ```json fence, so they do not parse',
    shown: 'structured output invalid',
  },
  {
    key: 'noCacheReport',
    flag: '--no-cache-report',
    help: 'never report cached prompt tokens (cached_tokens / cache_read_input_tokens / cache_creation_input_tokens stay 0)',
    shown: 'cache not reported',
  },
  {
    key: 'dropReasoning',
    flag: '--drop-reasoning',
    help: 'strip reasoning: no reasoning_content / reasoning summary / thinking block, reasoning tokens reported as 0',
    shown: 'reasoning dropped',
  },
  {
    key: 'htmlErrors',
    flag: '--html-errors',
    help: 'answer every HTTP error (400 bad request, --status, --error-rate, x-mock-fault) with an nginx HTML page instead of JSON',
    shown: 'HTML errors',
  },
];

export const MANGLE_HELP =
  'break tool calls: id (the call id changes per fragment; Anthropic: the tool_use id is empty), index (fragments after the first carry another index) - both streams only; args (arguments are not JSON, streamed or not; Anthropic non-streamed input becomes a string); Anthropic forced-tool answers are structured output, see --invalid-json-output';

export function parseMangle(value: string, flag = '--mangle-tool-calls'): MangleMode {
  const v = value.trim().toLowerCase();
  if (!(MANGLE_MODES as readonly string[]).includes(v)) {
    throw new UsageError(`${flag} expects one of ${MANGLE_MODES.join(', ')}, got "${value}"`);
  }
  return v as MangleMode;
}

/** Throws UsageError for a knob of the wrong type (options given through the API rather than flags). */
export function validateMisbehaviours(o: MisbehaviourOptions): void {
  for (const { key } of SWITCHES) {
    const v = o[key];
    if (v !== undefined && typeof v !== 'boolean') throw new UsageError(`mock: ${key} must be true or false, got ${String(v)}`);
  }
  const m = o.mangleToolCalls;
  if (m !== undefined && m !== null && !(MANGLE_MODES as readonly string[]).includes(m)) {
    throw new UsageError(`mock: mangleToolCalls must be one of ${MANGLE_MODES.join(', ')}, got "${String(m)}"`);
  }
}

/** What the startup line says about the misbehaviours that are on. */
export function describeMisbehaviours(o: MisbehaviourOptions): string[] {
  const out = SWITCHES.filter((s) => o[s.key] === true).map((s) => s.shown);
  if (o.mangleToolCalls) out.push(`tool-call ${o.mangleToolCalls} mangled`);
  return out;
}
