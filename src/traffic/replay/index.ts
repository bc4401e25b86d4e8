export { parseReplayText, ReplayParser } from './parser.js';
export { readReplayFile } from './read.js';
export { protocolOfUrl } from './classify.js';
export { protocolHint } from './body.js';
export { epochMs } from './timing.js';
export {
  DEFAULT_REPLAY_MAX_TOKENS,
  FORMAT_NAMES,
  REPLAY_FORMATS,
  type BadLine,
  type ReplayFile,
  type ReplayFormat,
  type ReplayItem,
} from './replay-file.js';
