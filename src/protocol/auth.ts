/**
 * The key goes in `apiKeyHeader`; `authorization` means a Bearer token, any
 * other name (x-api-key, Azure's api-key) carries the raw key. No key, no header:
 * a local vLLM box needs none.
 */
export function authHeader(apiKey: string | null, apiKeyHeader: string): Record<string, string> {
  if (apiKey === null || apiKey === '') return {};
  const name = apiKeyHeader.trim().toLowerCase();
  if (name === 'authorization') return { authorization: `Bearer ${apiKey}` };
  return { [name]: apiKey };
}

/**
 * A replayed body is sent as is, except for what relaymon must control: the
 * model, streaming, and a token limit when the body has none of its own.
 */
export function overrideBody(
  body: Record<string, unknown>,
  model: string,
  stream: boolean,
  maxTokens: number,
  limitKeys: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body, model, stream };
  // The first key is the protocol's own name for the limit (max_tokens; Responses max_output_tokens).
  if (limitKeys.every((k) => out[k] === undefined)) out[limitKeys[0] ?? 'max_tokens'] = maxTokens;
  return out;
}
