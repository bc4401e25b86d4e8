/**
 * The judges of the plain requests (the stream, the whole body, max_tokens):
 * usage, model, framing, order, limit and incremental delivery. Pure; each
 * rule is written out in docs/contracts.md "conform --json".
 */
import { MAX_TOKENS_LIMIT } from './plan.js';
import { cutByOwnTimeout, hasUsage, notEventStream, streamedAnswers, streamName, terminator, truncated, unanswered, verdict, worst, type AnswerFacts, type Observations, type Verdict } from './facts.js';

/** The tokens relaymon itself saw in an answer: its own count, else the token-bearing chunks; never the relay's report. */
export function seenTokens(a: AnswerFacts): number {
  if (a.localOutputTokens !== null && a.localOutputTokens > 0) return a.localOutputTokens;
  return a.firstTokenAt === null ? 0 : Math.max(a.chunks, a.chunkGapsMs.length + 1);
}

export function usagePresent(obs: Observations): Verdict | null {
  const expected = 'usage (input and output tokens) in the stream when asked, and in the whole body';
  const parts: Verdict[] = [];
  for (const name of ['stream', 'whole'] as const) {
    const a = obs.answers[name];
    if (!a) continue;
    const bad = unanswered(a, expected);
    if (bad) parts.push(bad);
    else if (hasUsage(a) && a.outputTokens === 0 && seenTokens(a) > 0) {
      parts.push(verdict('fail', a.requestId, expected, `${name === 'stream' ? 'stream' : 'body'}: billed as zero: the relay reported 0 output tokens for an answer that carried ${seenTokens(a)} (counted by relaymon)`));
    } else if (hasUsage(a)) parts.push(verdict('pass', a.requestId, expected, `${name === 'stream' ? 'stream' : 'body'}: ${a.inputTokens ?? '?'} in / ${a.outputTokens} out`));
    else if (name === 'stream' && truncated(a)) parts.push(verdict('n/a', a.requestId, expected, 'the stream ended without its terminator and without usage (see stream_terminated)'));
    else if (name === 'stream' && notEventStream(a) !== null) parts.push(verdict('n/a', a.requestId, expected, 'no event stream (see stream_terminated)'));
    else {
      const asked = obs.protocol === 'openai' ? ' although stream_options.include_usage asked for it' : '';
      parts.push(verdict('fail', a.requestId, expected, name === 'stream' ? `a stream without usage${asked}` : 'a whole body without usage'));
    }
  }
  return parts.length > 0 ? worst(parts) : null;
}

export function usageMonotonic(obs: Observations): Verdict | null {
  const expected = 'no cumulative usage count going down within a stream';
  const streams = streamedAnswers(obs);
  if (streams.length === 0) return null;
  const decreased = streams.find(([, a]) => a.streamViolations.includes('usage_decreased'));
  if (decreased) return verdict('fail', decreased[1].requestId, expected, `the ${decreased[0]} stream reported a usage count lower than an earlier one`);
  const withUsage = streams.find(([, a]) => hasUsage(a));
  if (!withUsage) {
    const stream = obs.answers.stream;
    const bad = stream ? unanswered(stream, expected) : null;
    return bad ?? verdict('n/a', stream?.requestId ?? null, expected, 'no stream reported usage (see usage_present)');
  }
  return verdict('pass', withUsage[1].requestId, expected, `usage never went down in ${streams.length} stream${streams.length === 1 ? '' : 's'}`);
}

export function modelEcho(obs: Observations): Verdict | null {
  const parts: Verdict[] = [];
  for (const name of ['stream', 'whole'] as const) {
    const a = obs.answers[name];
    if (!a) continue;
    const expected = `the response names "${a.model}" (or an alias of it)`;
    const bad = unanswered(a, expected);
    if (bad) parts.push(bad);
    else if (a.responseModel === null) parts.push(verdict('fail', a.requestId, expected, 'the response named no model'));
    else if (a.modelMismatch) parts.push(verdict('fail', a.requestId, expected, `"${a.responseModel}"`));
    else parts.push(verdict('pass', a.requestId, expected, `"${a.responseModel}"`));
  }
  return parts.length > 0 ? worst(parts) : null;
}

export function streamTerminated(obs: Observations): Verdict | null {
  const expected = `every stream ends with ${terminator(obs.protocol)}`;
  const streams = streamedAnswers(obs);
  if (streams.length === 0) return null;
  for (const [name, a] of streams) {
    if (a.httpStatus === null || a.httpStatus >= 300 || cutByOwnTimeout(a)) continue;
    const other = notEventStream(a);
    if (other !== null) return verdict('fail', a.requestId, expected, `asked to stream (${name}); got ${other}, not an event stream`);
    if (a.errorType === 'bad_response') return verdict('fail', a.requestId, expected, `${streamName(name)}: ${a.errorMessage ?? 'unreadable'}`);
    if (truncated(a)) return verdict('fail', a.requestId, expected, `${streamName(name)} ended without it${a.errorMessage ? ` (${a.errorMessage})` : ''}`);
  }
  const judged = streams.filter(([, a]) => a.httpStatus !== null && a.httpStatus < 300 && !cutByOwnTimeout(a));
  if (judged.length === 0) return unanswered(streams[0]![1], expected);
  // A stream relaymon cut is left out of the pass; it is named so the pass does not read as every stream.
  const cut = streams.filter(([, a]) => cutByOwnTimeout(a)).length;
  if (cut > 0) return verdict('pass', judged[0]![1].requestId, expected, `${judged.length} stream${judged.length === 1 ? '' : 's'} ended with it (${cut} cut by relaymon's own timeout, not judged)`);
  return verdict('pass', judged[0]![1].requestId, expected, `${judged.length} stream${judged.length === 1 ? '' : 's'} ended with it`);
}

export function eventOrder(obs: Observations): Verdict | null {
  const expected = obs.protocol === 'anthropic' ? 'message_start, content blocks in order, message_delta, message_stop (pings anywhere)' : "events in the protocol's order, nothing after the terminator";
  // The streams of tool calls (tools; json, which Anthropic answers as a forced tool) are left to tool_call_deltas:
  // a call's fragments at the wrong index break the block order too, and that is the tool-call check's finding.
  const streams = streamedAnswers(obs).filter(([name]) => name !== 'tools' && name !== 'json');
  if (streams.length === 0) return null;
  const bad = streams.find(([, a]) => a.streamViolations.includes('out_of_order'));
  if (bad) return verdict('fail', bad[1].requestId, expected, `${streamName(bad[0])} had events out of order`);
  const answered = streams.filter(([, a]) => a.httpStatus !== null && a.httpStatus < 300 && !cutByOwnTimeout(a));
  if (answered.length === 0) return unanswered((streams.find(([, a]) => cutByOwnTimeout(a)) ?? streams[0]!)[1], expected);
  const noStream = answered.find(([, a]) => notEventStream(a) !== null);
  if (noStream) return verdict('n/a', noStream[1].requestId, expected, `no stream: ${streamName(noStream[0])} was answered with ${notEventStream(noStream[1])} (see stream_terminated)`);
  // An event stream with no event in it has no order to pass.
  const judged = answered.filter(([, a]) => a.chunks > 0 || a.firstTokenAt !== null);
  if (judged.length === 0) return verdict('n/a', answered[0]![1].requestId, expected, 'no stream: no event arrived (see stream_terminated)');
  return verdict('pass', judged[0]![1].requestId, expected, `${judged.length} stream${judged.length === 1 ? '' : 's'} in order`);
}

export function maxTokensHonoured(obs: Observations): Verdict | null {
  const a = obs.answers.max_tokens;
  if (!a) return null;
  const expected = `finish reason length and at most ${MAX_TOKENS_LIMIT} output tokens`;
  const bad = unanswered(a, expected);
  if (bad) return bad;
  const finish = a.finishReason;
  let tokens: number | null = null;
  let source = '';
  // relaymon's own exact count first: a relay that inflates (or zeroes) its usage is a billing matter, not this check's.
  if (a.localCountKind === 'exact' && a.localOutputTokens !== null) {
    tokens = a.localOutputTokens;
    source = 'counted by relaymon';
  } else if (hasUsage(a)) {
    tokens = a.outputTokens;
    source = 'reported';
  }
  const got = `finish reason ${finish ?? 'none'}, ${tokens ?? '?'} output tokens${source ? ` (${source})` : ''}`;
  // Reported over the limit while relaymon's own estimate is within it: the report may be inflated (a billing matter), not judged here.
  if (tokens !== null && tokens > MAX_TOKENS_LIMIT && source === 'reported' && a.localOutputTokens !== null && a.localOutputTokens <= MAX_TOKENS_LIMIT && finish === 'length') {
    return verdict('n/a', a.requestId, expected, `${got}, but relaymon's own estimate is ${a.localOutputTokens}: the reported usage may be inflated (a billing matter); not judged`);
  }
  if (tokens !== null && tokens > MAX_TOKENS_LIMIT) return verdict('fail', a.requestId, expected, got);
  // Cut by relaymon's size cap (the target's maxResponseBytes, 16 MiB by default), an answer of a few tokens was
  // megabytes long: the relay ignored the limit. No finish reason came because the answer never ended, which is
  // the evidence, not its absence.
  if (a.errorType === 'response_too_large') {
    return verdict('fail', a.requestId, expected, `${got}: the answer passed relaymon's response size cap (${a.errorMessage ?? 'response_too_large'}) for a limit of ${MAX_TOKENS_LIMIT} tokens`);
  }
  if (finish !== null && finish !== 'length') return verdict('fail', a.requestId, expected, got);
  if (finish === null) {
    return verdict('n/a', a.requestId, expected, truncated(a) ? `${got}: the stream ended without its terminator (see stream_terminated)` : `${got}: the answer gave no finish reason`);
  }
  if (tokens === null) return verdict('n/a', a.requestId, expected, `${got}: no usage reported (see usage_present) and relaymon's own count is an estimate`);
  return verdict('pass', a.requestId, expected, got);
}

/** Token-bearing chunks at least this far apart came in separate reads. */
const SEPARATE_READ_MS = 1;
/** Fewer visible tokens than this say nothing about streaming. */
export const MIN_STREAM_TOKENS = 8;
/** Separate reads an incremental stream shows at least. */
export const MIN_READS = 3;
/**
 * The first-to-last token span must be at least this per token outside the answer's largest read.
 * "Buffered" is an answer held back and released at once: its tokens arrive at the network's pace,
 * in one read or a few within a millisecond. No model streams faster than 1,000 tokens/s (1 ms a
 * token), but an honest stream at that pace does not measure at 1 ms a token either: a sender that
 * stalls a few ms (a timer late, a collection) catches up with the tokens it owes in one read
 * (`relaymon mock --itl 1` on a busy machine: 24 tokens in 5 reads over 10 ms, 13 of them in one).
 * So the tokens of the largest read count as one burst, and the others must come at least at half
 * the fastest model's pace: a real stream at 1,000 tokens/s clears the line with room for jitter,
 * and a buffered one (one read, or all of them within a millisecond or two) does not.
 */
export const MIN_MS_PER_TOKEN = 0.5;
/** A stall of relaymon's own loop shorter than this blurs no read. */
export const MIN_STALL_MS = 50;
/** A stall longer than this share of the first-to-last span may have merged the reads: not judged. */
export const MAX_STALL_SHARE = 0.25;

/** The tokens of the answer's largest read: its most token chunks less than SEPARATE_READ_MS apart, scaled to `tokens`. */
export function largestRead(a: AnswerFacts, tokens: number): number {
  const chunks = a.chunkGapsMs.length + 1;
  let most = 1;
  let run = 1;
  for (const g of a.chunkGapsMs) {
    run = g >= SEPARATE_READ_MS ? 1 : run + 1;
    most = Math.max(most, run);
  }
  return Math.round((tokens * most) / chunks);
}

export function streamsIncrementally(obs: Observations): Verdict | null {
  const a = obs.answers.stream;
  if (!a) return null;
  const expected = `the answer over ≥ ${MIN_READS} separate reads, first to last token ≥ ${MIN_MS_PER_TOKEN} ms per token outside the largest read`;
  const bad = unanswered(a, expected);
  if (bad) return bad;
  const other = notEventStream(a);
  if (other !== null) return verdict('n/a', a.requestId, expected, `no stream: answered with ${other} (see stream_terminated)`);
  // relaymon's own count or the chunks it read, never the relay's reported usage (a relay may report 0).
  const tokens = seenTokens(a);
  if (tokens < MIN_STREAM_TOKENS || a.firstTokenAt === null || a.lastTokenAt === null) {
    return verdict('n/a', a.requestId, expected, `${tokens} output tokens seen: too short to tell (at least ${MIN_STREAM_TOKENS} needed)`);
  }
  const reads = 1 + a.chunkGapsMs.filter((g) => g >= SEPARATE_READ_MS).length;
  const spanMs = a.lastTokenAt - a.firstTokenAt;
  const stall = a.loopStallMs ?? 0;
  if (stall >= MIN_STALL_MS && stall > MAX_STALL_SHARE * spanMs) {
    return verdict('n/a', a.requestId, expected, `relaymon's own event loop stalled ${Math.round(stall)} ms during the stream; not judged`);
  }
  const got = `${tokens} tokens in ${reads} read${reads === 1 ? '' : 's'}, ${Math.round(spanMs)} ms from first to last token`;
  if (reads < MIN_READS || spanMs < MIN_MS_PER_TOKEN * (tokens - largestRead(a, tokens))) return verdict('fail', a.requestId, expected, `${got}: buffered`);
  return verdict('pass', a.requestId, expected, got);
}

/** A verdict from the client's own checks of one answer (client/checks.ts), by name prefix. */