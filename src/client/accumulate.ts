import type { WireEvent } from '../protocol/adapter.js';
import type { ErrorType, FinishReason } from '../core/result.js';

/**
 * Folds the normalised events of one response, each stamped with the instant
 * its bytes arrived, into what the RequestResult needs. Pure: no clock, no I/O,
 * so every quirk can be unit tested with exact instants.
 */
export interface ReportedUsage {
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  /** Prompt tokens written to the cache (Anthropic), part of inputTokens. */
  cacheWriteInputTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
}

export interface StreamError {
  errorType: ErrorType;
  message: string;
}

/**
 * One tool call as its streamed fragments built it, keyed by the index the
 * protocol gave it. What the fragments said of themselves is kept (every id,
 * every name), so client/checks.ts can tell a call whose id changed part-way
 * from one that kept it.
 */
export interface AssembledToolCall {
  index: number;
  /** The first id a fragment of this index carried; null when none did. */
  id: string | null;
  /** Every distinct id the fragments of this index carried, in order (more than one: the id changed). */
  ids: string[];
  name: string | null;
  /** Every distinct name, in order. */
  names: string[];
  /** The arguments, fragments joined in arrival order. */
  args: string;
  fragments: number;
  /** The first fragment of this index carried neither an id nor a name: it continues no call that was started. */
  orphan: boolean;
}

export class ResponseAccumulator {
  firstTokenAt: number | null = null;
  firstContentAt: number | null = null;
  lastTokenAt: number | null = null;
  /**
   * First and last token of the visible answer (content and tool arguments,
   * not reasoning): ITL and decode speed are measured over these, so the
   * reasoning before an answer and the pause after it do not stretch them.
   */
  firstVisibleAt: number | null = null;
  lastVisibleAt: number | null = null;
  /** Token-bearing events seen. */
  chunks = 0;
  readonly chunkGapsMs: number[] = [];
  /** Visible text and the text of the other channels, for local token counts. */
  contentText = '';
  /** Reasoning and tool text together. */
  otherText = '';
  reasoningText = '';
  toolText = '';
  id: string | null = null;
  responseModel: string | null = null;
  systemFingerprint: string | null = null;
  usage: ReportedUsage = {
    inputTokens: null,
    outputTokens: null,
    cachedInputTokens: null,
    cacheWriteInputTokens: null,
    reasoningTokens: null,
    costUsd: null,
  };
  usageSeen = false;
  /** First reasoning token (reasoning models), to tell content that came after the reasoning. */
  firstReasoningAt: number | null = null;
  /** Tool calls assembled from their `tool_call` fragments, in the order their first fragment arrived. */
  readonly toolCalls: AssembledToolCall[] = [];
  /** Why the answer ended, as the relay said; the last `finish` event wins. */
  finishReason: FinishReason | null = null;
  done = false;
  error: StreamError | null = null;

  /** Apply the events decoded from bytes that arrived at `at`. Returns the first error, if these events carried one. */
  apply(events: readonly WireEvent[], at: number): StreamError | null {
    let tokenInThisEvent = false;
    for (const ev of events) {
      switch (ev.kind) {
        case 'token':
          if (ev.text.length === 0) break; // an empty delta is not a token
          if (this.firstTokenAt === null) this.firstTokenAt = at;
          if (ev.channel !== 'reasoning') {
            if (this.firstVisibleAt === null) this.firstVisibleAt = at;
            this.lastVisibleAt = at;
          }
          if (ev.channel === 'content') {
            if (this.firstContentAt === null) this.firstContentAt = at;
            this.contentText += ev.text;
          } else {
            this.otherText += ev.text;
            if (ev.channel === 'reasoning') {
              this.reasoningText += ev.text;
              if (this.firstReasoningAt === null) this.firstReasoningAt = at;
            }
            else this.toolText += ev.text;
          }
          tokenInThisEvent = true;
          break;
        case 'meta':
          if (ev.id !== undefined && this.id === null) this.id = ev.id;
          if (ev.model !== undefined && ev.model !== '') this.responseModel = ev.model;
          if (ev.systemFingerprint !== undefined && ev.systemFingerprint !== '') this.systemFingerprint = ev.systemFingerprint;
          break;
        case 'usage':
          // Assign, never add: Anthropic's message_delta usage is cumulative.
          this.usageSeen = true;
          if (ev.inputTokens !== undefined) this.usage.inputTokens = ev.inputTokens;
          if (ev.outputTokens !== undefined) this.usage.outputTokens = ev.outputTokens;
          if (ev.cachedInputTokens !== undefined) this.usage.cachedInputTokens = ev.cachedInputTokens;
          if (ev.cacheWriteInputTokens !== undefined) this.usage.cacheWriteInputTokens = ev.cacheWriteInputTokens;
          if (ev.reasoningTokens !== undefined) this.usage.reasoningTokens = ev.reasoningTokens;
          if (ev.costUsd !== undefined) this.usage.costUsd = ev.costUsd;
          break;
        case 'error':
          this.error ??= { errorType: ev.errorType, message: ev.message };
          break;
        case 'invalid':
          this.error ??= { errorType: 'bad_response', message: ev.message };
          break;
        case 'tool_call':
          this.toolFragment(ev);
          break;
        case 'finish':
          this.finishReason = ev.reason;
          break;
        case 'done':
          this.done = true;
          break;
      }
    }
    if (tokenInThisEvent) {
      if (this.lastTokenAt !== null) this.chunkGapsMs.push(at - this.lastTokenAt);
      this.lastTokenAt = at;
      this.chunks += 1;
    }
    return this.error;
  }

  /** Timing is the `tool` token event's business (adapter.ts); this only assembles. */
  private toolFragment(ev: Extract<WireEvent, { kind: 'tool_call' }>): void {
    let call = this.toolCalls.find((c) => c.index === ev.index);
    if (!call) {
      call = { index: ev.index, id: null, ids: [], name: null, names: [], args: '', fragments: 0, orphan: ev.id === undefined && ev.name === undefined };
      this.toolCalls.push(call);
    }
    call.fragments += 1;
    if (ev.id !== undefined && ev.id !== '') {
      call.id ??= ev.id;
      if (!call.ids.includes(ev.id)) call.ids.push(ev.id);
    }
    if (ev.name !== undefined && ev.name !== '') {
      call.name ??= ev.name;
      if (!call.names.includes(ev.name)) call.names.push(ev.name);
    }
    call.args += ev.args;
  }
}

/**
 * ITL per request over the visible answer: (last visible token − first
 * visible token) / (visible tokens − 1). Null with fewer than two visible
 * tokens, and when they all arrived at one instant (a buffered answer says
 * nothing about the gaps between its tokens).
 */
export function interTokenLatency(firstVisibleAt: number | null, lastVisibleAt: number | null, visibleTokens: number | null): number | null {
  if (firstVisibleAt === null || lastVisibleAt === null || visibleTokens === null || visibleTokens < 2) return null;
  const span = lastVisibleAt - firstVisibleAt;
  if (!(span > 0)) return null;
  return span / (visibleTokens - 1);
}

/**
 * Decode speed: 1000 × (visible tokens − 1) / (last visible token − first
 * visible token), tokens per second; the reciprocal of ITL, so null wherever
 * ITL is null (a one-token answer, a buffered answer).
 */
export function outputTokensPerSecond(firstVisibleAt: number | null, lastVisibleAt: number | null, visibleTokens: number | null): number | null {
  const itl = interTokenLatency(firstVisibleAt, lastVisibleAt, visibleTokens);
  return itl === null ? null : 1000 / itl;
}
