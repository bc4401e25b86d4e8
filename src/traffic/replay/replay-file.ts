import type { Protocol } from '../../core/result.js';
import type { RequestSpec } from '../../protocol/adapter.js';

/**
 * What `relaymon replay` reads. The format is decided once per file, from its
 * first valid line; see parser.ts.
 *
 * - `openai-batch`: OpenAI Batch API input lines `{custom_id, method, url, body}`;
 *   `url` (/v1/chat/completions, /v1/messages or /v1/responses) selects the protocol per line.
 * - `chat-jsonl`: one Chat Completions request body per line.
 * - `messages-jsonl`: one Anthropic Messages request body per line.
 * - `responses-jsonl`: one Responses API request body per line.
 * - `relaymon-log`: relaymon's own request log (`--log FILE`, export/request-log.ts).
 */
export const REPLAY_FORMATS = ['openai-batch', 'chat-jsonl', 'messages-jsonl', 'responses-jsonl', 'relaymon-log'] as const;
export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

/** A request body that sets no token limit is sent with this many. */
export const DEFAULT_REPLAY_MAX_TOKENS = 256;

export interface ReplayItem {
  /** 1-based line number in the file. */
  line: number;
  /**
   * When to send, relative to the file's earliest timed line (ms), from
   * `offset_ms`, `timestamp` or, in a request log, `t`. Null when the line has no time.
   */
  offsetMs: number | null;
  /**
   * `spec.body` is the request body as read (minus relaymon's `timestamp` /
   * `offset_ms` fields) and is what gets sent; model, stream and maxTokens are
   * read from it. `spec.messages` is a plain-text view of it, for display only.
   */
  spec: RequestSpec;
  /**
   * The protocol the line needs. Null when a plain body fits both protocols
   * (e.g. only model, max_tokens and user/assistant string messages): the
   * target's protocol decides.
   */
  protocol: Protocol | null;
  /** Batch lines: custom_id. */
  customId?: string;
  /** Request-log lines: the target it was originally sent to. */
  target?: string;
}

export interface BadLine {
  line: number;
  /** What is wrong and where (field name). Never the line's content: it may hold prompts. */
  reason: string;
}

export interface ReplayFile {
  format: ReplayFormat;
  items: ReplayItem[];
  bad: BadLine[];
}

export const FORMAT_NAMES: Record<ReplayFormat, string> = {
  'openai-batch': 'OpenAI Batch API input',
  'chat-jsonl': 'Chat Completions request bodies',
  'messages-jsonl': 'Messages request bodies',
  'responses-jsonl': 'Responses API request bodies',
  'relaymon-log': 'relaymon request log',
};
