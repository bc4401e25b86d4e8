import { UsageError } from '../../core/errors.js';
import type { Protocol } from '../../core/result.js';
import { leansAnthropic } from './body.js';
import { classifyLine, type Candidate, type Classified, type LineKind } from './classify.js';
import { FORMAT_NAMES, type BadLine, type ReplayFile, type ReplayFormat, type ReplayItem } from './replay-file.js';

/**
 * Lines are classified one by one as they arrive (push), then the file's
 * format is decided and items are built in one pass at the end (finish):
 * O(lines), whatever the order of good and bad lines.
 *
 * The format is that of the first valid line. For plain bodies, Chat
 * Completions vs Messages vs Responses is told by the first line whose shape demands one
 * of them; failing that, a body with max_tokens and content blocks names it
 * Messages, and otherwise it is Chat Completions. Bodies that fit both keep
 * protocol null whatever the file's format: each target's protocol decides.
 */
export class ReplayParser {
  private readonly lines: Classified[] = [];
  private lineNo = 0;

  push(text: string): void {
    this.lineNo++;
    const clean = this.lineNo === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const c = classifyLine(clean, this.lineNo);
    if (c !== null) this.lines.push(c);
  }

  finish(source: string): ReplayFile {
    const good = this.lines.filter((c): c is Extract<Classified, { candidate: Candidate }> => 'candidate' in c);
    const first = good[0];
    if (first === undefined) throw noValidLine(source, this.lines);
    const { format, toldBy } = decideFormat(first.kind, good);
    const kind = first.kind;
    const fileProtocol = FORMAT_PROTOCOL[format];

    const bad: BadLine[] = [];
    const accepted: Candidate[] = [];
    let timeBase: { base: string; field: string; line: number } | null = null;
    for (const c of this.lines) {
      if (c.kind !== null && c.kind !== kind) {
        bad.push({ line: c.line, reason: `${KIND_NAMES[c.kind]} in a file of ${FORMAT_NAMES[format]} (format told by line ${toldBy})` });
        continue;
      }
      if (!('candidate' in c)) {
        bad.push({ line: c.line, reason: c.reason });
        continue;
      }
      const cand = c.candidate;
      if (kind === 'body' && cand.protocol !== null && cand.protocol !== fileProtocol) {
        const what = BODY_NAMES[cand.protocol];
        bad.push({ line: c.line, reason: `${what} in a file of ${FORMAT_NAMES[format]} (format told by line ${toldBy})` });
        continue;
      }
      if (cand.time !== null) {
        if (timeBase === null) timeBase = { base: cand.time.base, field: cand.time.field, line: cand.line };
        else if (timeBase.base !== cand.time.base) {
          bad.push({
            line: c.line,
            reason: `field "${cand.time.field}": earlier lines time requests with "${timeBase.field}" (line ${timeBase.line}); use one of them throughout`,
          });
          continue;
        }
      }
      accepted.push(cand);
    }
    return { format, items: toItems(accepted), bad };
  }
}

export function parseReplayText(text: string, source: string): ReplayFile {
  const parser = new ReplayParser();
  for (const line of text.split(/\r?\n/)) parser.push(line);
  return parser.finish(source);
}

const PROTOCOL_FORMAT: Record<Protocol, ReplayFormat> = { openai: 'chat-jsonl', anthropic: 'messages-jsonl', 'openai-responses': 'responses-jsonl' };
/** The protocol of a file of plain bodies (other formats say it per line). */
const FORMAT_PROTOCOL: Record<ReplayFormat, Protocol> = {
  'chat-jsonl': 'openai',
  'messages-jsonl': 'anthropic',
  'responses-jsonl': 'openai-responses',
  'openai-batch': 'openai',
  'relaymon-log': 'openai',
};
const BODY_NAMES: Record<Protocol, string> = {
  openai: 'a Chat Completions request body',
  anthropic: 'a Messages request body',
  'openai-responses': 'a Responses API request body',
};

const KIND_NAMES: Record<LineKind, string> = {
  batch: 'an OpenAI Batch API line',
  log: 'a relaymon request log line',
  body: 'a plain request body',
};

function decideFormat(kind: LineKind, good: readonly { kind: LineKind; line: number; candidate: Candidate }[]): { format: ReplayFormat; toldBy: number } {
  const first = good[0]!;
  if (kind === 'batch') return { format: 'openai-batch', toldBy: first.line };
  if (kind === 'log') return { format: 'relaymon-log', toldBy: first.line };
  for (const c of good) {
    if (c.kind === 'body' && c.candidate.protocol !== null) return { format: PROTOCOL_FORMAT[c.candidate.protocol], toldBy: c.line };
  }
  const leaning = good.find((c) => c.kind === 'body' && c.candidate.spec.body !== undefined && leansAnthropic(c.candidate.spec.body));
  return leaning ? { format: 'messages-jsonl', toldBy: leaning.line } : { format: 'chat-jsonl', toldBy: first.line };
}

/**
 * Offsets from the earliest timed line, so a file whose lines are out of order
 * never yields a negative offset; and the lines in the order they were sent.
 * relaymon's own request log is written as requests finish, so its `t` goes
 * backwards wherever a later request finished first; replayed in file order
 * those lines would all go out at once. A line without a time keeps its place
 * after the timed line before it (the sort is stable).
 */
function toItems(accepted: readonly Candidate[]): ReplayItem[] {
  let origin = Infinity;
  for (const c of accepted) if (c.time !== null && c.time.ms < origin) origin = c.time.ms;
  let previous = 0;
  const keyed = accepted.map((c) => {
    const offsetMs = c.time === null ? null : c.time.ms - origin;
    if (offsetMs !== null) previous = offsetMs;
    return { c, offsetMs, key: previous };
  });
  keyed.sort((a, b) => a.key - b.key);
  return keyed.map(({ c, offsetMs }) => {
    const item: ReplayItem = {
      line: c.line,
      offsetMs,
      spec: c.spec,
      protocol: c.protocol,
    };
    if (c.customId !== undefined) item.customId = c.customId;
    if (c.target !== undefined) item.target = c.target;
    return item;
  });
}

function noValidLine(source: string, lines: readonly Classified[]): UsageError {
  if (lines.length === 0) return new UsageError(`${source}: no request lines (the file is empty)`);
  const shown = lines
    .slice(0, 3)
    .map((c) => `line ${c.line}: ${'reason' in c ? c.reason : 'ok'}`)
    .join('; ');
  const more = lines.length > 3 ? `; and ${lines.length - 3} more` : '';
  return new UsageError(`${source}: no valid request line (${shown}${more})`);
}
