// The reference for relaymon's TTFT overhead: the least a client can do on node:net. One keep-alive
// connection, one request at a time, the raw HTTP/1.1 request written in one write, and the first
// content byte stamped in the 'data' callback that brings the first SSE event carrying content (a
// non-empty `"content":"…"`; the role-only first chunk carries `"content":""`). Nothing is parsed
// beyond finding that and the end of the chunked body.
import { execFile } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { pct } from './pct.mjs';
import { performance } from 'node:perf_hooks';

/** Chat Completions streaming body, byte for byte what relaymon's openai adapter sends for the bench spec. */
export function streamBody(model = 'gpt-4o-mini', maxTokens = 16) {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Reply with OK' }],
    max_tokens: maxTokens,
    stream: true,
    stream_options: { include_usage: true },
  });
}

const FIRST_CONTENT = /"content":"[^"]/;

export class ReferenceClient {
  /** baseUrl like http://127.0.0.1:PORT/v1 */
  constructor(baseUrl, body = streamBody()) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    const payload = Buffer.from(body);
    this.request = Buffer.concat([
      Buffer.from(
        `POST ${u.pathname.replace(/\/+$/, '')}/chat/completions HTTP/1.1\r\nhost: ${u.host}\r\ncontent-type: application/json\r\n` +
          `accept: text/event-stream\r\ncontent-length: ${payload.length}\r\nconnection: keep-alive\r\n\r\n`,
      ),
      payload,
    ]);
    this.socket = null;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: this.host, port: this.port, noDelay: true }, () => resolve());
      s.once('error', reject);
      this.socket = s;
    });
  }

  /** One stream on the kept-alive connection: { ttftMs, totalMs } from the write. */
  stream() {
    const s = this.socket;
    return new Promise((resolve, reject) => {
      let text = '';
      let firstAt = null;
      let firstByteAt = null;
      let sentAt = 0;
      const onData = (chunk) => {
        const at = performance.now();
        firstByteAt ??= at;
        text += chunk.toString('latin1');
        if (firstAt === null && FIRST_CONTENT.test(text)) firstAt = at;
        // The chunked body's last chunk: the stream is over and the connection free for the next request.
        if (text.endsWith('\r\n0\r\n\r\n')) {
          s.off('data', onData);
          s.off('error', reject);
          if (!text.startsWith('HTTP/1.1 200')) return reject(new Error(`reference: ${text.slice(0, 40)}`));
          if (firstAt === null) return reject(new Error('reference: no content in the stream'));
          resolve({ ttftMs: firstAt - sentAt, ttfbMs: firstByteAt - sentAt, totalMs: at - sentAt });
        }
      };
      s.on('data', onData);
      s.once('error', reject);
      sentAt = performance.now();
      s.write(this.request);
    });
  }

  close() {
    this.socket?.destroy();
  }
}

/** Each client's TTFT percentiles from its samples (any order), and relaymon − reference at p50 and p99. */
export function compareSamples(relaymonMs, referenceMs) {
  const s = (xs) => {
    const v = [...xs].sort((x, y) => x - y);
    return { p50: pct(v, 0.5), p90: pct(v, 0.9), p99: pct(v, 0.99), max: v.at(-1) };
  };
  const relaymon = s(relaymonMs);
  const reference = s(referenceMs);
  return { relaymon, reference, diffP50: relaymon.p50 - reference.p50, diffP99: relaymon.p99 - reference.p99 };
}

export const TTFT_MOCK_ARGS = ['--ttft', '0', '--itl', '1', '--tokens', '4', '--no-jitter'];

/**
 * relaymon's RelayClient and the reference, alternately, one stream at a time each on its own kept-alive
 * connection to one `relaymon mock` process: TTFT p50/p99 of each and relaymon − reference.
 */
export async function compareTtft(streams, mockArgs = TTFT_MOCK_ARGS) {
  const { startMockProcess } = await import('./mock-process.mjs');
  const { target } = await import('./engine.mjs');
  const dist = process.env.CLIENT_DIST ? new URL(`file://${process.env.CLIENT_DIST.replace(/\/?$/, '/')}`) : new URL('../dist/', import.meta.url);
  const { RelayClient } = await import(new URL('client/index.js', dist).href);
  const { PriceTable } = await import(new URL('pricing/table.js', dist).href);
  const mock = await startMockProcess(mockArgs);
  const ref = new ReferenceClient(mock.url);
  await ref.connect();
  const client = new RelayClient(PriceTable.builtIn());
  await client.prepare(['gpt-4o-mini']);
  const t = target(mock.url, 1);
  const spec = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Reply with OK' }], maxTokens: 16, stream: true };
  const relay = async () => {
    const r = await client.execute(t, spec);
    if (!r.ok || r.ttftMs === null) throw new Error(`relaymon stream failed: ${r.errorType} ${r.errorMessage}`);
    tb.push(r.ttfbMs);
    return r.ttftMs;
  };
  const tb = [];
  const rb = [];
  // Warm-up: JIT, both connections, the token counter.
  for (let i = 0; i < 50; i++) {
    await ref.stream();
    await relay();
  }
  tb.length = 0;
  const a = [];
  const b = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < streams; i++) {
    // Alternate which goes first, so neither always follows the other's end of stream.
    if (i % 2 === 0) {
      const r = await ref.stream();
      b.push(r.ttftMs);
      rb.push(r.ttfbMs);
      a.push(await relay());
    } else {
      a.push(await relay());
      const r = await ref.stream();
      b.push(r.ttftMs);
      rb.push(r.ttfbMs);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  ref.close();
  await client.close();
  await mock.stop();
  tb.sort((x, y) => x - y);
  rb.sort((x, y) => x - y);
  return {
    mockArgs: mockArgs.join(' '),
    streams,
    ...compareSamples(a, b),
    ttfbP50: { relaymon: pct(tb, 0.5), reference: pct(rb, 0.5) },
    cpuMsPerPair: (cpu.user + cpu.system) / 1000 / streams,
    // Every stream's TTFT, so that rounds can be pooled (bench/run.mjs); not kept in the results file.
    samples: { relaymon: a, reference: b },
  };
}

/**
 * One round of compareTtft in a fresh node process, so that what the bench ran before in its own process
 * (the throughput section's heap, pools and timers) is not in relaymon's tail: in-process rounds after it
 * read +0.46 to +0.67 ms at p99 where a round alone read +0.05 (BENCHMARKS.md).
 */
export function compareTtftAlone(streams) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [fileURLToPath(import.meta.url), String(streams), '1', '--samples'], { maxBuffer: 64 * 2 ** 20 }, (err, stdout) => {
      if (err) return reject(err);
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)));
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 400);
  const rounds = Number(process.argv[3] ?? 1);
  const keepSamples = process.argv.includes('--samples');
  for (let i = 0; i < rounds; i++) {
    const { samples, ...round } = await compareTtft(n);
    console.log(JSON.stringify(keepSamples ? { ...round, samples } : round));
  }
}
