import type { Protocol } from '../core/result.js';
import type { ProtocolAdapter } from './adapter.js';
import { openaiAdapter } from './openai.js';
import { anthropicAdapter } from './anthropic.js';
import { openaiResponsesAdapter } from './openai-responses.js';

export function adapterFor(protocol: Protocol): ProtocolAdapter {
  switch (protocol) {
    case 'openai':
      return openaiAdapter;
    case 'anthropic':
      return anthropicAdapter;
    case 'openai-responses':
      return openaiResponsesAdapter;
  }
}

export type * from './adapter.js';
export { openaiAdapter } from './openai.js';
export { anthropicAdapter, ANTHROPIC_VERSION } from './anthropic.js';
export { openaiResponsesAdapter } from './openai-responses.js';
export { createSseFramer, type SseFramer } from './sse.js';
export { classifyHttpError, looksLikeHtml } from './http-errors.js';
export { classifyNetworkError, type NetworkErrorClass } from './network-errors.js';
export { rateLimitInfo, reportedCostFromHeaders, requestIds, retryAfterMs, REQUEST_ID_HEADERS, type ResponseHeaders } from './headers.js';
