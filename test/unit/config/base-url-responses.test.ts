import { describe, expect, it } from 'vitest';
import { resolveBaseUrl } from '../../../src/config/targets.js';

describe('a pasted Responses endpoint', () => {
  it('is trimmed to its base; with another protocol, a note says the endpoint is the Responses API', () => {
    const notes: string[] = [];
    expect(resolveBaseUrl('https://relay.example/v1/responses', 'openai', '--base-url', notes)).toBe('https://relay.example/v1');
    expect(notes.join('')).toContain("/responses is OpenAI's Responses endpoint, but the protocol is openai: pass --protocol openai-responses");
  });

  it('says nothing more when the protocol is openai-responses; a chat endpoint with it is noted', () => {
    const notes: string[] = [];
    expect(resolveBaseUrl('https://relay.example/v1/responses', 'openai-responses', '--base-url', notes)).toBe('https://relay.example/v1');
    expect(notes).toHaveLength(1);
    const chat: string[] = [];
    resolveBaseUrl('https://relay.example/v1/chat/completions', 'openai-responses', 'OPENAI_BASE_URL', chat);
    expect(chat.join('')).toContain("OpenAI's Chat Completions endpoint, but the protocol is openai-responses");
  });
});
