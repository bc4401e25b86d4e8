/**
 * RelayClient.preload builds a request's body, URL and headers before the run's first instant
 * (engine/start.ts warmUp), so its first send finds them built, as every later one does.
 */
import { describe, expect, it } from 'vitest';
import { RelayClient } from '../../../src/client/index.js';
import { builtBody, chatUrl, requestHeaders } from '../../../src/client/request-cache.js';
import { adapterFor } from '../../../src/protocol/index.js';
import { PriceTable } from '../../../src/pricing/table.js';
import { SMALL_SPEC, target } from '../../helpers/engine.js';

describe('RelayClient.preload', () => {
  it('leaves the first send the body, URL and headers later sends reuse, and sends nothing', async () => {
    const client = new RelayClient(PriceTable.builtIn());
    const t = target('r', 'http://127.0.0.1:9/v1?api-version=1', { apiKey: 'sk-test-preload' });
    const spec = { ...SMALL_SPEC };
    const adapter = adapterFor('openai');
    // Counted on the adapter the send path uses (one per protocol), put back after.
    const calls = { body: 0, headers: 0 };
    const { buildBody, headers } = adapter;
    adapter.buildBody = (s) => (calls.body++, buildBody.call(adapter, s));
    adapter.headers = (k, h) => (calls.headers++, headers.call(adapter, k, h));
    try {
      client.preload(t, spec);
      expect(calls).toEqual({ body: 1, headers: 1 });
      builtBody(adapter, spec);
      requestHeaders(t, adapter, true);
      expect(calls).toEqual({ body: 1, headers: 1 });
    } finally {
      adapter.buildBody = buildBody;
      adapter.headers = headers;
    }
    // The same objects the send path gets (request-cache.ts caches by identity): built once, by preload.
    const body = builtBody(adapter, spec);
    expect(builtBody(adapter, spec)).toBe(body);
    expect(JSON.parse(body.body)).toMatchObject({ model: 'gpt-4o-mini', stream: true });
    expect(chatUrl(t, adapter)).toEqual({ origin: 'http://127.0.0.1:9', path: '/v1/chat/completions?api-version=1' });
    expect(chatUrl(t, adapter)).toBe(chatUrl(t, adapter));
    expect(requestHeaders(t, adapter, true)).toMatchObject({ authorization: 'Bearer sk-test-preload', accept: 'text/event-stream' });
    // Nothing was sent and no pool was made: closing has nothing to wait for.
    await client.close();
  });
});
