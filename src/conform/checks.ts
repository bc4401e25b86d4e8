/**
 * The conformance checks of `relaymon conform`: a fixed list of snake_case
 * names (docs/contracts.md "conform --json"), what each proves, and the
 * --only / --skip selection over them. Pure.
 */
import { UsageError } from '../core/errors.js';

export const CONFORM_CHECKS = [
  'usage_present',
  'usage_monotonic',
  'model_echo',
  'stream_terminated',
  'event_order',
  'error_in_stream',
  'max_tokens_honoured',
  'streams_incrementally',
  'tool_call_deltas',
  'structured_output',
  'cache_reported',
  'reasoning_passthrough',
  'error_shape',
] as const;
export type ConformCheckName = (typeof CONFORM_CHECKS)[number];

export const CONFORM_STATUSES = ['pass', 'fail', 'n/a'] as const;
export type ConformStatus = (typeof CONFORM_STATUSES)[number];

/** One line each, for --help and the README table. */
export const CHECK_SUMMARY: Readonly<Record<ConformCheckName, string>> = {
  usage_present: 'usage is reported when asked, streamed (stream_options.include_usage) and not',
  usage_monotonic: 'a cumulative usage count never goes down within a stream',
  model_echo: 'the response names the model asked for (aliases normalised)',
  stream_terminated: 'every stream ends with its terminator ([DONE], message_stop, response.completed)',
  event_order: "events come in the protocol's order (Anthropic pings tolerated)",
  error_in_stream: 'an error inside a 200 stream reaches the client as an error',
  max_tokens_honoured: 'max_tokens 5 ends the answer with finish reason length and at most 5 tokens',
  streams_incrementally: 'the answer streams: spread over separate reads, not buffered and sent at once',
  tool_call_deltas: 'a streamed tool call keeps one id and index, with JSON arguments that fit the schema',
  structured_output: 'a json_schema answer parses and validates against the schema',
  cache_reported: 'a repeated long prefix reports cached input tokens',
  reasoning_passthrough: "a reasoning model's reasoning (tokens or text) reaches the client",
  error_shape: 'a malformed request gets a 4xx with a JSON error body, not HTML, a 200 or a 5xx',
};

function isCheckName(name: string): name is ConformCheckName {
  return (CONFORM_CHECKS as readonly string[]).includes(name);
}

/** A comma list of check names (repeatable flag values joined), each known; unknown → UsageError listing the names. */
export function parseCheckList(values: readonly string[], flag: string): ConformCheckName[] {
  const names = values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !isCheckName(n));
  if (unknown.length > 0) {
    throw new UsageError(`${flag}: unknown check ${unknown.map((u) => `"${u}"`).join(', ')}; the checks are: ${CONFORM_CHECKS.join(', ')}`);
  }
  if (values.length > 0 && names.length === 0) throw new UsageError(`${flag} needs at least one check name; the checks are: ${CONFORM_CHECKS.join(', ')}`);
  return [...new Set(names.filter(isCheckName))];
}

/** The checks to run, in list order: --only's (all when absent) minus --skip's. */
export function selectChecks(only: readonly string[], skip: readonly string[]): ConformCheckName[] {
  const onlyNames = parseCheckList(only, '--only');
  const skipNames = new Set(parseCheckList(skip, '--skip'));
  const chosen = CONFORM_CHECKS.filter((c) => (onlyNames.length === 0 || onlyNames.includes(c)) && !skipNames.has(c));
  if (chosen.length === 0) throw new UsageError('--only and --skip leave no check to run');
  return chosen;
}
