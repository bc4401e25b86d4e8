import { createServer, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ReplyHeaders } from './reply-headers.js';
import { errorReply, notFoundReply, overloadedStatus, type ErrorReply } from './error-replies.js';
import { resolveMockOptions, type MockOptions } from './options.js';
import { chooseFault, FAULT_HEADER_VALUES, faultFromHeader, isImmediateFault, planResponse, type Fault } from './plan.js';
import { mulberry32, normalSampler, randomSeed } from '../core/random.js';
import { warmEncoding } from '../tokens/encodings.js';
import { bodyResponse, Job, sendAt, streamResponse } from './respond.js';
import { incidentOptions, inIncident } from './incident.js';
import { copyStats, emptyStats, type MockOutcome, type MockRoute, type MockStats } from './stats.js';

/** Response header on a stream the mock failed on purpose (request header x-relaymon-conform: stream-error). */
export const INJECTED_HEADER = 'x-relaymon-mock-injected';

const ROUTE_OF: Record<MockProtocol, MockRoute> = { openai: 'chat', anthropic: 'messages', 'openai-responses': 'responses' };
const ID_PREFIX: Record<MockProtocol, string> = { openai: 'chatcmpl-', anthropic: 'msg_', 'openai-responses': 'resp_' };

import { fingerprintFor, HTML_PAGE, htmlErrorPage, MODELS_BODY, type MockProtocol, type ResponseIdentity } from './wire.js';
import { PrefixCache } from './cache.js';
import { cacheFigures, composeAnswer, writersFor } from './reply.js';
import { parseRequest } from './request.js';

export type { MockStats } from './stats.js';

export interface MockServer {
  /** Base URL including the version segment: http://HOST:PORT/v1 */
  url: string;
  host: string;
  port: number;
  /** Stops listening and drops every connection, streams in flight included. */
  close(): Promise<void>;
  stats(): MockStats;
  /**
   * Changes the behaviour for requests that arrive from now on (knobs not
   * given keep their value). `watch --demo` stages its incident this way.
   */
  update(partial: Partial<MockOptions>): void;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Host as it goes in a URL: IPv6 literals need brackets. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startMock(partial: Partial<MockOptions> = {}): Promise<MockServer> {
  // Mutable so update() can change behaviour mid-run; each request reads it when it arrives.
  let opts = resolveMockOptions(partial);
  // Prompt tokens are counted with the real tokenizer (wire.ts promptTokens); its
  // tables load now, not in the middle of the first request's timing.
  warmEncoding('o200k_base');
  /** Answers that got as far as a planned response, for --fingerprint-every. */
  let answered = 0;
  const rng = mulberry32(opts.seed ?? randomSeed());
  const normal = normalSampler(rng);
  const stats = emptyStats();
  const jobs = new Set<Job>();
  const sockets = new Set<Socket>();
  const cache = new PrefixCache(1000);
  /** --incident-at counts from here (set once listening); the incident's options follow update()s of the base. */
  let startedAt = performance.now();
  let degraded: { base: MockOptions; opts: MockOptions } | null = null;
  const optionsAt = (t0: number): MockOptions => {
    if (!inIncident(opts.incident, t0 - startedAt)) return opts;
    if (degraded?.base !== opts) degraded = { base: opts, opts: incidentOptions(opts) };
    return degraded.opts;
  };

  const count = (route: MockRoute): void => {
    stats.requests++;
    stats.byRoute[route]++;
  };
  const outcome = (o: MockOutcome): void => {
    stats.byOutcome[o]++;
  };

  const ids = new ReplyHeaders(randomSeed().toString(36));
  const commonHeaders = (protocol: MockProtocol, exhausted: boolean): OutgoingHttpHeaders => ids.next(protocol, exhausted);

  const sendReply = (res: ServerResponse, reply: ErrorReply, extra: OutgoingHttpHeaders = {}): void => {
    res.writeHead(reply.status, { ...extra, ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
    res.end(reply.body);
  };
  /** The protocol's JSON error, or with --html-errors the page a misconfigured proxy sends instead. */
  const errorFor = (status: number, protocol: MockProtocol, message?: string): ErrorReply => {
    const reply = errorReply(status, protocol, message);
    if (!opts.htmlErrors) return reply;
    const { 'content-type': _json, ...rest } = reply.headers;
    return { status, headers: { ...rest, 'content-type': 'text/html; charset=utf-8' }, body: htmlErrorPage(status, STATUS_CODES[status] ?? 'Error') };
  };

  const handleCompletion = (
    req: IncomingMessage,
    res: ServerResponse,
    protocol: MockProtocol,
    raw: Buffer,
    t0: number,
    job: Job,
  ): void => {
    // A staged incident answers the requests arriving during it (mock/incident.ts).
    const opts = optionsAt(t0);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = null;
    }
    const refuse = (message: string): void => {
      job.finish();
      outcome('bad_request');
      sendReply(res, errorFor(400, protocol, message), commonHeaders(protocol, false));
    };
    const parsed = parseRequest(protocol, body);
    if (typeof parsed === 'string') return refuse(parsed);

    let fault: Fault;
    const conform = req.headers['x-relaymon-conform'];
    const forced = req.headers['x-mock-fault'];
    let injected = false;
    if (typeof conform === 'string' && conform.length > 0) {
      if (conform.trim().toLowerCase() !== 'stream-error') return refuse(`unknown x-relaymon-conform "${conform}"; expected stream-error`);
      // Only a stream can fail mid-way; a non-streamed request is answered as usual.
      injected = parsed.stream;
    }
    if (injected) fault = 'stream_overloaded';
    else if (typeof forced === 'string' && forced.length > 0) {
      const f = faultFromHeader(forced);
      if (f === null) {
        return refuse(`unknown x-mock-fault "${forced}"; expected one of ${FAULT_HEADER_VALUES.join(', ')}`);
      }
      fault = f;
    } else {
      fault = chooseFault(opts, rng);
    }
    outcome(fault === 'none' ? 'ok' : fault);
    const headers: OutgoingHttpHeaders = {
      ...commonHeaders(protocol, fault === 'rate_limited'),
      ...(injected ? { [INJECTED_HEADER]: 'stream-error' } : {}),
    };
    const headerDue = t0 + (opts.latencyMs ?? 0);

    if (isImmediateFault(fault)) {
      if (fault === 'html') {
        sendAt(res, headerDue, 200, { ...headers, 'content-type': 'text/html; charset=utf-8' }, HTML_PAGE, job);
        return;
      }
      const status =
        fault === 'status' ? (opts.status ?? 500) : fault === 'rate_limited' ? 429 : fault === 'overloaded' ? overloadedStatus(protocol) : 500;
      const reply = errorFor(status, protocol);
      sendAt(res, headerDue, reply.status, { ...headers, ...reply.headers }, reply.body, job);
      return;
    }

    const answer = composeAnswer(opts, parsed);
    const plan = planResponse(opts, fault, answer.pieces, normal);
    const identity: ResponseIdentity = {
      id: ID_PREFIX[protocol] + ids.last,
      model: opts.serveModel ?? parsed.model,
      created: Math.floor(Date.now() / 1000),
      promptTokens: parsed.promptTokens,
      fingerprint: fingerprintFor(answered++, opts.fingerprintEvery ?? 0),
      ...cacheFigures(opts, protocol, parsed, cache),
    };
    // Drawn only when the knob is on, so seeded runs without it keep their sequence.
    const dropUsage = (opts.dropUsageRate ?? 0) > 0 && rng() < (opts.dropUsageRate ?? 0);
    const reported = (tokens: number): number | null => (dropUsage ? null : Math.round(tokens * opts.inflateUsage));
    const w = writersFor(opts, protocol, identity, parsed, answer, reported);

    if (parsed.stream) {
      const sseHeaders = { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
      streamResponse(res, t0, plan, w.stream, sseHeaders, job, opts.bufferStream === true);
      return;
    }
    const wire = { body: w.body, overloaded: () => errorFor(overloadedStatus(protocol), protocol) };
    bodyResponse(res, t0, plan, wire, headers, job);
  };

  const server = createServer((req, res) => {
    const t0 = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';

    if (path === '/__relaymon/stats' && method === 'GET') {
      const body = JSON.stringify(copyStats(stats));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }

    let protocol: MockProtocol | null = null;
    if (method === 'POST' && path === '/v1/chat/completions') protocol = 'openai';
    else if (method === 'POST' && path === '/v1/messages') protocol = 'anthropic';
    else if (method === 'POST' && (path === '/v1/responses' || path === '/responses')) protocol = 'openai-responses';

    if (protocol === null) {
      req.resume();
      if (method === 'GET' && path === '/v1/models') {
        count('models');
        if (opts.status !== null) {
          outcome('status');
          sendReply(res, errorFor(opts.status, 'openai'), commonHeaders('openai', false));
          return;
        }
        outcome('ok');
        const headers = commonHeaders('openai', false);
        res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(MODELS_BODY) });
        res.end(MODELS_BODY);
        return;
      }
      count('not_found');
      outcome('not_found');
      sendReply(res, notFoundReply(method, path));
      return;
    }

    count(ROUTE_OF[protocol]);
    stats.inFlight++;
    const job = new Job(jobs);
    res.once('close', () => {
      stats.inFlight--;
      if (!job.finished) {
        stats.clientClosed++;
        job.finish();
      }
    });

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (job.finished) return;
      if (size > MAX_BODY_BYTES) {
        job.finish();
        outcome('bad_request');
        sendReply(res, errorFor(413, protocol), commonHeaders(protocol, false));
        return;
      }
      handleCompletion(req, res, protocol, Buffer.concat(chunks, Math.min(size, MAX_BODY_BYTES)), t0, job);
    });
  });

  server.on('connection', (socket: Socket) => {
    // Each token is its own small write; Nagle would hold it back waiting for an ACK.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listening, an accept failure (EMFILE under a flood) is emitted as 'error'; without a listener it
  // would take down the process, which for `watch --demo` is the user's dashboard. Clients see it as refused.
  server.on('error', () => undefined);
  startedAt = performance.now();
  const address = server.address() as AddressInfo;
  const host = address.address;
  const port = address.port;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost(host)}:${port}/v1`,
    host,
    port,
    stats: () => copyStats(stats),
    update: (next) => {
      // Every current value is explicit here, so the scenario's table cannot undo an earlier update.
      opts = resolveMockOptions({ ...opts, ...next });
    },
    close: () => {
      if (closing) return closing;
      for (const job of [...jobs]) job.finish();
      closing = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      return closing;
    },
  };
}
