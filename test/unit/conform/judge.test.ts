import { describe, expect, it } from 'vitest';
import type { RequestResult } from '../../../src/core/result.js';
import { endlessBody, judge, type AnswerFacts, type Observations, type RawAnswer } from '../../../src/conform/judge.js';
import { CONFORM_CHECKS } from '../../../src/conform/checks.js';
import { result } from '../export/result.js';

/** An honest streamed answer of 24 tokens over 24 reads 20 ms apart. */
function honest(overrides: Partial<RequestResult> = {}): AnswerFacts {
  return result({
    ok: true,
    httpStatus: 200,
    errorType: null,
    outputTokens: 24,
    inputTokens: 30,
    usageSource: 'reported',
    firstTokenAt: 1000,
    firstContentAt: 1000,
    lastTokenAt: 1460,
    chunkGapsMs: Array.from({ length: 23 }, () => 20),
    streamViolations: [],
    finishReason: 'stop',
    checks: [],
    chunks: 24,
    ...overrides,
    // relaymon's own count agrees with the reported one unless a test says otherwise.
    localOutputTokens: overrides.localOutputTokens !== undefined ? overrides.localOutputTokens : (overrides.outputTokens ?? 24),
  });
}

const badRequestOk: RawAnswer = { status: 400, contentType: 'application/json', bodyHead: '{"error":{"message":"bad"}}', requestId: 'req_b', networkError: null };

function honestObs(protocol: Observations['protocol'] = 'openai'): Observations {
  return {
    protocol,
    answers: {
      stream: honest(),
      whole: honest({ stream: false, chunkGapsMs: [] }),
      max_tokens: honest({ outputTokens: 5, finishReason: 'length' }),
      tools: honest({ checks: [{ name: 'tool_called', ok: true, detail: '1 call' }, { name: 'tool_args_json', ok: true, detail: 'ok' }] }),
      json: honest({ checks: [{ name: 'json_parses', ok: true, detail: 'ok' }, { name: 'json_schema_valid', ok: true, detail: 'ok' }] }),
      cache_first: honest({ inputTokens: 4300, cachedInputTokens: 0 }),
      cache_second: honest({ inputTokens: 4300, cachedInputTokens: 4096 }),
      reasoning: honest({ model: 'o4-mini', reasoningTokens: 64 }),
    },
    streamError: { ...honest({ ok: false, errorType: 'stream_error', errorMessage: 'upstream failed' }), injected: true },
    badRequest: badRequestOk,
    notSent: {},
  };
}

const status = (name: (typeof CONFORM_CHECKS)[number], obs: Observations) => judge(name, obs).status;

describe('conform judges', () => {
  it('an honest relay passes every check, for every protocol', () => {
    for (const p of ['openai', 'anthropic', 'openai-responses'] as const) {
      const obs = honestObs(p);
      for (const c of CONFORM_CHECKS) expect([c, judge(c, obs).status]).toEqual([c, 'pass']);
    }
  });

  it('usage_present: a stream or a body without usage fails; an unterminated stream without usage is n/a (stream_terminated says why)', () => {
    const obs = honestObs();
    obs.answers.stream = honest({ usageSource: 'estimated', outputTokens: null, streamViolations: ['usage_missing'] });
    expect(judge('usage_present', obs).status).toBe('fail');
    expect(judge('usage_present', obs).evidence.got).toMatch(/include_usage/);
    const whole = honestObs();
    whole.answers.whole = honest({ stream: false, usageSource: 'estimated', outputTokens: null });
    expect(status('usage_present', whole)).toBe('fail');
    const cut = honestObs();
    cut.answers.stream = honest({ ok: false, errorType: 'stream_truncated', usageSource: 'estimated', outputTokens: null, streamViolations: ['unterminated'] });
    expect(status('usage_present', cut)).toBe('n/a');
  });

  it('usage_monotonic: a usage_decreased violation in any stream fails; no usage at all is n/a', () => {
    const obs = honestObs();
    obs.answers.tools = honest({ streamViolations: ['usage_decreased'] });
    expect(judge('usage_monotonic', obs)).toMatchObject({ status: 'fail', evidence: { got: expect.stringMatching(/tools stream/) } });
    const none = honestObs();
    for (const a of Object.values(none.answers)) Object.assign(a, { usageSource: 'estimated', outputTokens: null });
    expect(status('usage_monotonic', none)).toBe('n/a');
  });

  it('model_echo: a different model or none fails, with what came back', () => {
    const obs = honestObs();
    obs.answers.whole = honest({ stream: false, responseModel: 'gpt-3.5-turbo', modelMismatch: true });
    expect(judge('model_echo', obs)).toMatchObject({ status: 'fail', evidence: { got: '"gpt-3.5-turbo"', expected: expect.stringMatching(/gpt-4o-mini/) } });
    const none = honestObs();
    none.answers.stream = honest({ responseModel: null });
    expect(judge('model_echo', none).evidence.got).toBe('the response named no model');
  });

  it('stream_terminated and event_order: read every stream, name the one that broke', () => {
    const obs = honestObs('anthropic');
    obs.answers.json = honest({ ok: false, errorType: 'stream_truncated', streamViolations: ['unterminated'] });
    expect(judge('stream_terminated', obs)).toMatchObject({ status: 'fail', evidence: { got: 'the json stream ended without it', expected: expect.stringMatching(/message_stop/) } });
    expect(status('event_order', obs)).toBe('pass');
    // A tool call's fragments at the wrong index break the block order too: that is tool_call_deltas' finding.
    const tools = honestObs('anthropic');
    tools.answers.tools = honest({ streamViolations: ['out_of_order'] });
    expect(status('event_order', tools)).toBe('pass');
    const order = honestObs();
    order.answers.stream = honest({ streamViolations: ['out_of_order'] });
    expect(status('event_order', order)).toBe('fail');
    expect(status('stream_terminated', order)).toBe('pass');
  });

  it('error_in_stream: surfaced passes, swallowed fails, not injected is n/a', () => {
    const obs = honestObs();
    obs.streamError = { ...honest(), injected: true };
    expect(judge('error_in_stream', obs)).toMatchObject({ status: 'fail', evidence: { got: expect.stringMatching(/swallowed/) } });
    obs.streamError = { ...honest({ ok: false, errorType: 'stream_truncated' }), injected: true };
    expect(status('error_in_stream', obs)).toBe('fail');
    obs.streamError = { ...honest(), injected: false };
    expect(status('error_in_stream', obs)).toBe('n/a');
    obs.streamError = { ...honest({ ok: false, errorType: 'stream_error' }), injected: false };
    expect(status('error_in_stream', obs)).toBe('pass');
    // The protocol classifies the in-band error further (Anthropic overloaded_error): surfaced all the same.
    obs.streamError = { ...honest({ ok: false, errorType: 'overloaded' }), injected: true };
    expect(status('error_in_stream', obs)).toBe('pass');
    obs.streamError = { ...honest({ ok: false, errorType: 'bad_response' }), injected: true };
    expect(status('error_in_stream', obs)).toBe('fail');
    // No stream was opened (no answer, 401, a 500 HTML page): nothing to judge.
    obs.streamError = { ...honest({ ok: false, httpStatus: null, errorType: 'connection_refused' }), injected: false };
    expect(status('error_in_stream', obs)).toBe('n/a');
    obs.streamError = { ...honest({ ok: false, httpStatus: 401, errorType: 'auth' }), injected: false };
    expect(status('error_in_stream', obs)).toBe('n/a');
  });

  it('max_tokens_honoured: needs finish reason length and at most 5 tokens', () => {
    const obs = honestObs();
    obs.answers.max_tokens = honest({ outputTokens: 24, finishReason: 'stop' });
    expect(judge('max_tokens_honoured', obs)).toMatchObject({ status: 'fail', evidence: { got: 'finish reason stop, 24 output tokens (counted by relaymon)' } });
    obs.answers.max_tokens = honest({ outputTokens: 5, finishReason: 'stop' });
    expect(status('max_tokens_honoured', obs)).toBe('fail');
    obs.answers.max_tokens = honest({ outputTokens: 6, finishReason: 'length' });
    expect(status('max_tokens_honoured', obs)).toBe('fail');
    // No usage: relaymon's exact count stands in; an estimate cannot.
    obs.answers.max_tokens = honest({ usageSource: 'estimated', outputTokens: null, localOutputTokens: 5, localCountKind: 'exact', finishReason: 'length' });
    expect(status('max_tokens_honoured', obs)).toBe('pass');
    obs.answers.max_tokens = honest({ usageSource: 'estimated', outputTokens: null, localOutputTokens: 5, localCountKind: 'estimate', finishReason: 'length' });
    expect(status('max_tokens_honoured', obs)).toBe('n/a');
    obs.answers.max_tokens = honest({ outputTokens: 5, finishReason: null, ok: false, errorType: 'stream_truncated', streamViolations: ['unterminated'] });
    expect(judge('max_tokens_honoured', obs).evidence.got).toMatch(/see stream_terminated/);
    // Cut by relaymon's size cap: no finish reason and no count, because the answer went on for megabytes.
    obs.answers.max_tokens = honest({ outputTokens: null, usageSource: 'estimated', localOutputTokens: null, finishReason: null, ok: false, errorType: 'response_too_large', errorMessage: 'response exceeded 16777216 bytes' });
    expect(judge('max_tokens_honoured', obs)).toMatchObject({
      status: 'fail',
      evidence: { got: "finish reason none, ? output tokens: the answer passed relaymon's response size cap (response exceeded 16777216 bytes) for a limit of 5 tokens" },
    });
  });

  it('streams_incrementally: a buffered answer (one read, or no time between first and last token) fails', () => {
    const obs = honestObs();
    obs.answers.stream = honest({ lastTokenAt: 1000, chunkGapsMs: Array.from({ length: 23 }, () => 0) });
    expect(judge('streams_incrementally', obs)).toMatchObject({ status: 'fail', evidence: { got: '24 tokens in 1 read, 0 ms from first to last token: buffered' } });
    // Split over a few reads a fraction of a millisecond apart: still buffered.
    obs.answers.stream = honest({ lastTokenAt: 1000.6, chunkGapsMs: [0, 0.3, 0, 0.3] });
    expect(status('streams_incrementally', obs)).toBe('fail');
    // Three reads but all within 5 ms for 24 tokens (16 outside the largest read): faster than any model streams.
    obs.answers.stream = honest({ lastTokenAt: 1005, chunkGapsMs: [2.5, 2.5] });
    expect(status('streams_incrementally', obs)).toBe('fail');
    // A fast honest provider: 24 reads 2 ms apart.
    obs.answers.stream = honest({ lastTokenAt: 1046, chunkGapsMs: Array.from({ length: 23 }, () => 2) });
    expect(status('streams_incrementally', obs)).toBe('pass');
    // 16 tokens over 7 reads in 14 ms for 15 gaps, as relaymon mock --itl 1 measures: 1,000 tokens/s, streamed.
    obs.answers.stream = honest({ outputTokens: 16, lastTokenAt: 1014, chunkGapsMs: [2, 0, 3, 0, 0, 2, 0, 3, 0, 2, 0, 0, 2, 0, 0] });
    expect(judge('streams_incrementally', obs)).toMatchObject({ status: 'pass', evidence: { got: '16 tokens in 7 reads, 14 ms from first to last token' } });
    // 24 tokens in 5 reads over 10 ms, 13 of them in one read after the sender stalled (mock --itl 1 on a busy machine): streamed.
    obs.answers.stream = honest({ lastTokenAt: 1010, chunkGapsMs: [1, 1, 1, ...Array.from({ length: 12 }, () => 0), 1, 0, 0, 0, 0, 0, 0, 0] });
    expect(judge('streams_incrementally', obs)).toMatchObject({ status: 'pass', evidence: { got: '24 tokens in 5 reads, 10 ms from first to last token' } });
    // The same 16 tokens over 4 reads within 3 ms: released at once, buffered.
    obs.answers.stream = honest({ outputTokens: 16, lastTokenAt: 1003, chunkGapsMs: [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0] });
    expect(judge('streams_incrementally', obs)).toMatchObject({ status: 'fail', evidence: { got: '16 tokens in 4 reads, 3 ms from first to last token: buffered' } });
    obs.answers.stream = honest({ outputTokens: 3 });
    expect(status('streams_incrementally', obs)).toBe('n/a');
  });

  it('tool_call_deltas and structured_output: the first failed probe check is the evidence', () => {
    const obs = honestObs();
    obs.answers.tools = honest({ checks: [{ name: 'tool_called', ok: true, detail: '1 call' }, { name: 'tool_call_id_stable', ok: false, detail: 'call 0 changed id from a to b' }] });
    expect(judge('tool_call_deltas', obs).evidence.got).toBe('tool_call_id_stable: call 0 changed id from a to b');
    obs.answers.json = honest({ checks: [{ name: 'json_parses', ok: false, detail: 'the answer is not JSON' }] });
    expect(status('structured_output', obs)).toBe('fail');
    obs.answers.json = honest({ ok: false, errorType: 'stream_truncated', streamViolations: ['unterminated'], checks: [] });
    expect(judge('structured_output', obs)).toMatchObject({ status: 'n/a', evidence: { got: expect.stringMatching(/stream_terminated/) } });
  });

  it('cache_reported: 0 cached fails; no usage is n/a', () => {
    const obs = honestObs();
    obs.answers.cache_second = honest({ inputTokens: 4300, cachedInputTokens: 0 });
    expect(judge('cache_reported', obs)).toMatchObject({ status: 'fail', evidence: { got: '0 cached of 4300 input tokens' } });
    obs.answers.cache_second = honest({ usageSource: 'estimated', outputTokens: null, cachedInputTokens: null });
    expect(status('cache_reported', obs)).toBe('n/a');
  });

  it('reasoning_passthrough: tokens or streamed reasoning pass; neither fails; a refused request is n/a', () => {
    const obs = honestObs();
    obs.answers.reasoning = honest({ reasoningTokens: 0, firstTokenAt: 900, firstContentAt: 1000 });
    expect(judge('reasoning_passthrough', obs).evidence.got).toBe('reasoning text streamed');
    obs.answers.reasoning = honest({ reasoningTokens: null });
    expect(status('reasoning_passthrough', obs)).toBe('fail');
    // Buffered, the reasoning arrives with the answer: the client's check saw its text all the same.
    obs.answers.reasoning = honest({ reasoningTokens: null, checks: [{ name: 'reasoning_reported', ok: true, detail: '120 characters of reasoning streamed' }] });
    expect(judge('reasoning_passthrough', obs)).toMatchObject({ status: 'pass', evidence: { got: '120 characters of reasoning streamed' } });
    obs.answers.reasoning = honest({ reasoningTokens: null, usageSource: 'estimated', outputTokens: null });
    expect(judge('reasoning_passthrough', obs).evidence.got).toMatch(/see usage_present/);
    obs.answers.reasoning = honest({ ok: false, httpStatus: 400, errorType: 'bad_request', errorMessage: 'unsupported parameter' });
    expect(status('reasoning_passthrough', obs)).toBe('n/a');
    obs.answers.reasoning = honest({ ok: false, httpStatus: 500, errorType: 'server_error' });
    expect(status('reasoning_passthrough', obs)).toBe('n/a');
  });

  it('error_shape: 4xx JSON passes; HTML, 200, 5xx, not JSON or no answer fail', () => {
    const obs = honestObs();
    const cases: [RawAnswer, string][] = [
      [{ ...badRequestOk, status: 400, contentType: 'text/html', bodyHead: '<!DOCTYPE html><html>' }, 'fail'],
      [{ ...badRequestOk, status: 400, contentType: '', bodyHead: '<html><body>Bad</body></html>' }, 'fail'],
      [{ ...badRequestOk, status: 200 }, 'fail'],
      [{ ...badRequestOk, status: 502 }, 'fail'],
      [{ ...badRequestOk, status: 422, contentType: 'text/plain', bodyHead: 'nope' }, 'fail'],
      [{ ...badRequestOk, status: null, networkError: 'connection_reset: socket hang up' }, 'fail'],
      [{ ...badRequestOk, status: 422 }, 'pass'],
    ];
    for (const [raw, want] of cases) {
      obs.badRequest = raw;
      expect([raw.status, raw.bodyHead, judge('error_shape', obs).status]).toEqual([raw.status, raw.bodyHead, want]);
    }
  });

  it('a request that failed (no HTTP answer, 429, 500) makes the checks that read it n/a; one not sent makes them n/a with the reason', () => {
    const obs = honestObs();
    obs.answers.stream = honest({ ok: false, httpStatus: null, errorType: 'connection_refused', errorMessage: 'ECONNREFUSED' });
    expect(judge('streams_incrementally', obs)).toMatchObject({ status: 'n/a', evidence: { got: 'request failed: no HTTP answer: connection_refused: ECONNREFUSED; judged nothing' } });
    for (const code of [429, 500, 503]) {
      const e = honestObs();
      e.answers.stream = honest({ ok: false, httpStatus: code, errorType: code === 429 ? 'rate_limited' : 'server_error', errorMessage: 'try later' });
      e.answers.whole = honest({ stream: false, ok: false, httpStatus: code, errorType: 'rate_limited', errorMessage: 'try later' });
      for (const c of ['usage_present', 'model_echo', 'streams_incrementally'] as const) {
        expect([c, judge(c, e).status]).toEqual([c, 'n/a']);
      }
      expect(judge('usage_present', e).evidence.got).toMatch(new RegExp(`^request failed: HTTP ${code} .*; judged nothing$`));
    }
    const hto = honestObs();
    hto.answers.whole = honest({ stream: false, ok: false, httpStatus: null, errorType: 'timeout', errorMessage: 'Headers Timeout Error (UND_ERR_HEADERS_TIMEOUT)' });
    expect(judge('model_echo', hto).evidence.got).toBe("request failed: relaymon's own timeout cut it before any HTTP answer: no response headers within the timeout; judged nothing");
    // run/conform puts the timeout it hit in the message: said as is.
    hto.answers.whole = honest({ stream: false, ok: false, httpStatus: null, errorType: 'timeout', errorMessage: 'no response headers within 2 s' });
    expect(judge('model_echo', hto).evidence.got).toBe("request failed: relaymon's own timeout cut it before any HTTP answer: no response headers within 2 s; judged nothing");
    // An unparseable or wrong-shaped body is the relay's fault: the check fails with the request's own message.
    const bad = honestObs();
    bad.answers.whole = honest({ stream: false, ok: false, errorType: 'bad_response', errorMessage: 'the body is not JSON' });
    expect(judge('model_echo', bad)).toMatchObject({ status: 'fail', evidence: { got: expect.stringMatching(/the body is not JSON/) } });
    const skipped: Observations = { protocol: 'openai', answers: {}, notSent: { reasoning: 'not sent: the budget' } };
    expect(judge('reasoning_passthrough', skipped)).toMatchObject({ status: 'n/a', evidence: { requestId: null, got: 'not sent: the budget' } });
  });

  it('a relay that reports 0 output tokens: streams_incrementally judges the tokens relaymon saw; usage_present fails "billed as zero"', () => {
    const obs = honestObs();
    // 16 tokens in one read, reported as 0: buffered, not "too short to tell".
    obs.answers.stream = honest({ outputTokens: 0, localOutputTokens: 16, chunks: 16, lastTokenAt: 1000, chunkGapsMs: Array.from({ length: 15 }, () => 0) });
    expect(judge('streams_incrementally', obs)).toMatchObject({ status: 'fail', evidence: { got: '16 tokens in 1 read, 0 ms from first to last token: buffered' } });
    expect(judge('usage_present', obs)).toMatchObject({ status: 'fail', evidence: { got: expect.stringMatching(/billed as zero.*carried 16/) } });
    // Without relaymon's own count, the token-bearing chunks stand in.
    obs.answers.stream = honest({ outputTokens: 0, localOutputTokens: null, chunks: 24 });
    expect(status('streams_incrementally', obs)).toBe('pass');
    // An honest 0: nothing was streamed.
    const empty = honestObs();
    empty.answers.whole = honest({ stream: false, outputTokens: 0, localOutputTokens: 0, chunks: 0, firstTokenAt: null, lastTokenAt: null, chunkGapsMs: [] });
    expect(status('usage_present', empty)).toBe('pass');
  });

  it('max_tokens_honoured: relaymon\'s exact count wins over an inflated (or zeroed) report', () => {
    const obs = honestObs();
    obs.answers.max_tokens = honest({ outputTokens: 15, localOutputTokens: 5, localCountKind: 'exact', finishReason: 'length' });
    expect(judge('max_tokens_honoured', obs)).toMatchObject({ status: 'pass', evidence: { got: 'finish reason length, 5 output tokens (counted by relaymon)' } });
    // An estimate within the limit against an inflated report: not judged (usage billing is another matter).
    obs.answers.max_tokens = honest({ outputTokens: 15, localOutputTokens: 5, localCountKind: 'estimate', finishReason: 'length' });
    expect(judge('max_tokens_honoured', obs)).toMatchObject({ status: 'n/a', evidence: { got: expect.stringMatching(/inflated/) } });
    obs.answers.max_tokens = honest({ outputTokens: 15, localOutputTokens: 15, localCountKind: 'estimate', finishReason: 'length' });
    expect(status('max_tokens_honoured', obs)).toBe('fail');
  });

  it('usage_present names stream_options.include_usage for Chat Completions only', () => {
    for (const p of ['openai', 'anthropic', 'openai-responses'] as const) {
      const obs = honestObs(p);
      obs.answers.stream = honest({ usageSource: 'estimated', outputTokens: null });
      expect([p, /include_usage/.test(judge('usage_present', obs).evidence.got)]).toEqual([p, p === 'openai']);
    }
  });

  it('a stream request answered with text/html or JSON fails stream_terminated; event_order is n/a; an empty 200 does not pass event_order', () => {
    for (const ct of ['text/html', 'application/json']) {
      const obs = honestObs();
      obs.answers.stream = honest({ contentType: ct, chunks: 0, firstTokenAt: null, lastTokenAt: null, chunkGapsMs: [], usageSource: 'estimated', outputTokens: null, localOutputTokens: 0 } as Partial<RequestResult>);
      expect(judge('stream_terminated', obs)).toMatchObject({ status: 'fail', evidence: { got: `asked to stream (stream); got ${ct}, not an event stream` } });
      expect(judge('event_order', obs)).toMatchObject({ status: 'n/a', evidence: { got: expect.stringMatching(/^no stream/) } });
      expect(status('streams_incrementally', obs)).toBe('n/a');
      expect(status('usage_present', obs)).toBe('n/a');
    }
    const empty = honestObs();
    for (const n of ['stream', 'tools', 'json', 'max_tokens', 'cache_first', 'cache_second', 'reasoning'] as const) {
      empty.answers[n] = honest({ contentType: 'text/event-stream', chunks: 0, firstTokenAt: null, lastTokenAt: null, chunkGapsMs: [] } as Partial<RequestResult>);
    }
    expect(status('event_order', empty)).toBe('n/a');
    const named = honestObs();
    named.answers.stream = honest({ ok: false, errorType: 'stream_truncated', streamViolations: ['unterminated'] });
    expect(judge('stream_terminated', named).evidence.got).toBe('the stream ended without it');
  });

  it('streams_incrementally is n/a when relaymon\'s own event loop stalled for a good share of the stream', () => {
    const obs = honestObs();
    // 24 tokens in one read over 0 ms, while relaymon's loop was blocked 300 ms: not the relay's doing.
    obs.answers.stream = honest({ lastTokenAt: 1000, chunkGapsMs: Array.from({ length: 23 }, () => 0), loopStallMs: 300 } as Partial<RequestResult>);
    expect(judge('streams_incrementally', obs)).toMatchObject({ status: 'n/a', evidence: { got: "relaymon's own event loop stalled 300 ms during the stream; not judged" } });
    // A small stall in a long honest stream changes nothing; nor does one in a buffered stream below the floor.
    obs.answers.stream = honest({ loopStallMs: 10 } as Partial<RequestResult>);
    expect(status('streams_incrementally', obs)).toBe('pass');
    obs.answers.stream = honest({ loopStallMs: 80 } as Partial<RequestResult>);
    expect(status('streams_incrementally', obs)).toBe('pass');
    obs.answers.stream = honest({ lastTokenAt: 1000, chunkGapsMs: Array.from({ length: 23 }, () => 0), loopStallMs: 5 } as Partial<RequestResult>);
    expect(status('streams_incrementally', obs)).toBe('fail');
  });

  it("a request cut by relaymon's own timeout is n/a, judged nothing, whatever the check (not the relay's fault)", () => {
    const obs = honestObs();
    const cut = { ok: false, errorType: 'timeout' as const, timeoutPhase: 'total' as const, errorMessage: 'total timeout after 1500 ms', streamViolations: ['unterminated' as const], outputTokens: null, finishReason: null };
    obs.answers.stream = honest(cut);
    obs.streamError = { ...honest(cut), injected: false };
    const echo = judge('model_echo', obs);
    expect(echo.status).toBe('n/a');
    // the relay had answered 200: the evidence says so, not "no HTTP answer"
    expect(echo.evidence.got).toBe("request failed: relaymon's own timeout cut it after HTTP 200: total timeout after 1500 ms; judged nothing");
    expect(judge('error_in_stream', obs).status).toBe('n/a');
    expect(judge('error_in_stream', obs).evidence.got).toContain("relaymon's own timeout");
    // the other streams ended with the terminator: they pass, the cut one is named, not judged
    expect(judge('stream_terminated', obs).status).toBe('pass');
    expect(judge('stream_terminated', obs).evidence.got).toContain("1 cut by relaymon's own timeout");
    for (const name of ['usage_present', 'streams_incrementally'] as const) expect([name, status(name, obs)]).toEqual([name, 'n/a']);
    // every stream cut: n/a, never "ended without it"
    for (const k of Object.keys(obs.answers) as (keyof Observations['answers'])[]) obs.answers[k] = honest({ ...cut, stream: obs.answers[k]!.stream });
    expect(judge('stream_terminated', obs).status).toBe('n/a');
    expect(judge('event_order', obs).evidence.got).toContain("relaymon's own timeout");
    // also when the fault was injected: the cut came before it
    obs.streamError = { ...honest(cut), injected: true };
    expect(judge('error_in_stream', obs).status).toBe('n/a');
    // before any HTTP answer
    delete obs.answers.stream;
    obs.answers.whole = honest({ ...cut, httpStatus: null, stream: false, errorMessage: 'first token timeout after 500 ms' });
    expect(judge('model_echo', obs).evidence.got).toContain('before any HTTP answer: first token timeout after 500 ms; judged nothing');
  });

  it('error_shape cut by relaymon\'s own timeout is n/a, and an endless body is said once ("HTTP 400 and a body …", never "got got 400")', () => {
    const obs = honestObs();
    obs.badRequest = { status: 400, contentType: 'application/json', bodyHead: '{"err', requestId: null, networkError: endlessBody(400, '999 ms'), ownTimeout: true };
    const v = judge('error_shape', obs);
    expect(v.status).toBe('n/a');
    expect(v.evidence.got).toBe("request failed: relaymon's own timeout cut it: HTTP 400 and a body that did not end within 999 ms; judged nothing");
    expect(v.evidence.got).not.toMatch(/got \d/);
    obs.badRequest = { status: null, contentType: '', bodyHead: '', requestId: null, networkError: 'no answer within 1 ms', ownTimeout: true };
    expect(judge('error_shape', obs).status).toBe('n/a');
    // a network error of the relay still fails it
    obs.badRequest = { status: null, contentType: '', bodyHead: '', requestId: null, networkError: 'connection_reset: other side closed' };
    expect(judge('error_shape', obs).status).toBe('fail');
  });
});
