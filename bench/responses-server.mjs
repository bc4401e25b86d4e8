#!/usr/bin/env node
// A hand-written relay for bench/responses.mjs, run as its own process (so
// that it shares no event loop with the client being measured). It answers
// POST /v1/chat/completions and POST /v1/responses with the same stream: the
// first token after --ttft ms, then --tokens tokens --itl ms apart, each in
// its protocol's own events. Prints "listening on URL".
import { createServer } from 'node:http';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const TTFT = arg('--ttft', 100);
const ITL = arg('--itl', 2);
const TOKENS = arg('--tokens', 4);
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

const chatChunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-b', object: 'chat.completion.chunk', model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const ev = (type, rest = {}) => `event: ${type}\ndata: ${JSON.stringify({ type, ...rest })}\n\n`;

const WIRE = {
  '/v1/chat/completions': {
    head: () => '',
    token: (t, first) => chatChunk(first ? { role: 'assistant', content: t } : { content: t }),
    tail: () =>
      chatChunk({}, 'stop') +
      `data: ${JSON.stringify({ id: 'chatcmpl-b', choices: [], usage: { prompt_tokens: 9, completion_tokens: TOKENS, total_tokens: 9 + TOKENS } })}\n\ndata: [DONE]\n\n`,
  },
  '/v1/responses': {
    head: () =>
      ev('response.created', { response: { id: 'resp_b', object: 'response', model: 'gpt-4o-mini-2024-07-18', status: 'in_progress', output: [] } }) +
      ev('response.output_item.added', { output_index: 0, item: { id: 'msg_b', type: 'message', role: 'assistant', content: [] } }) +
      ev('response.content_part.added', { item_id: 'msg_b', output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } }),
    token: (t) => ev('response.output_text.delta', { item_id: 'msg_b', output_index: 0, content_index: 0, delta: t }),
    tail: () =>
      ev('response.output_text.done', { item_id: 'msg_b', output_index: 0, content_index: 0, text: '' }) +
      ev('response.output_item.done', { output_index: 0, item: { id: 'msg_b', type: 'message' } }) +
      ev('response.completed', {
        response: { id: 'resp_b', object: 'response', model: 'gpt-4o-mini-2024-07-18', status: 'completed', output: [], usage: { input_tokens: 9, output_tokens: TOKENS, total_tokens: 9 + TOKENS } },
      }),
  },
};

const server = createServer((req, res) => {
  req.resume();
  req.on('end', async () => {
    const wire = WIRE[req.url ?? ''];
    if (!wire) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    await wait(TTFT);
    // The protocol's opening events go out with the first token, so both protocols' first byte is the first token.
    res.write(wire.head() + wire.token(' OK', true));
    for (let i = 1; i < TOKENS; i++) {
      await wait(ITL);
      res.write(wire.token(' ok', false));
    }
    res.end(wire.tail());
  });
});
server.on('connection', (s) => s.setNoDelay(true));
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/v1`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
