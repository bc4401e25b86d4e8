import { describe, expect, it } from 'vitest';
import { Client } from 'undici';
import { classifyNetworkError, OwnArgumentError } from '../../../src/protocol/network-errors.js';

function err(message: string, props: Record<string, unknown> = {}, cause?: unknown): Error {
  const e = cause === undefined ? new Error(message) : new Error(message, { cause });
  return Object.assign(e, props);
}

describe('classifyNetworkError', () => {
  it('connect timeout', () => {
    const c = classifyNetworkError(err('Connect Timeout Error (attempted address: relay.example:443, timeout: 10000ms)', { code: 'UND_ERR_CONNECT_TIMEOUT', name: 'ConnectTimeoutError' }));
    expect(c.errorType).toBe('timeout');
    expect(c.timeoutPhase).toBe('connect');
    expect(c.message).toContain('Connect Timeout Error');
  });

  it('connection refused, wrapped by fetch', () => {
    const inner = err('connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
    const c = classifyNetworkError(new TypeError('fetch failed', { cause: inner }));
    expect(c).toEqual({ errorType: 'connection_refused', timeoutPhase: null, message: 'connect ECONNREFUSED 127.0.0.1:9' });
  });

  it('connection refused inside an AggregateError (both address families tried)', () => {
    const agg = Object.assign(new AggregateError([err('connect ECONNREFUSED ::1:9', { code: 'ECONNREFUSED' }), err('connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED' })], ''), {});
    expect(classifyNetworkError(agg).errorType).toBe('connection_refused');
  });

  it('dns', () => {
    expect(classifyNetworkError(err('getaddrinfo ENOTFOUND relay.invalid', { code: 'ENOTFOUND' }))).toEqual({
      errorType: 'dns',
      timeoutPhase: null,
      message: 'getaddrinfo ENOTFOUND relay.invalid',
    });
    expect(classifyNetworkError(err('getaddrinfo EAI_AGAIN relay.example', { code: 'EAI_AGAIN' })).errorType).toBe('dns');
  });

  it('resets: ECONNRESET, EPIPE, UND_ERR_SOCKET and "other side closed"', () => {
    expect(classifyNetworkError(err('read ECONNRESET', { code: 'ECONNRESET' })).errorType).toBe('connection_reset');
    expect(classifyNetworkError(err('write EPIPE', { code: 'EPIPE' })).errorType).toBe('connection_reset');
    const socket = classifyNetworkError(err('other side closed', { code: 'UND_ERR_SOCKET', name: 'SocketError' }));
    expect(socket).toEqual({ errorType: 'connection_reset', timeoutPhase: null, message: 'other side closed (UND_ERR_SOCKET)' });
    expect(classifyNetworkError(err('other side closed')).errorType).toBe('connection_reset');
  });

  it('a specific cause wins over a generic reset outside it', () => {
    const tls = err('unable to verify the first certificate', { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(classifyNetworkError(err('other side closed', { code: 'UND_ERR_SOCKET' }, tls)).errorType).toBe('tls');
  });

  it('tls, by every family of code', () => {
    const codes = [
      'CERT_HAS_EXPIRED',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'ERR_OSSL_EVP_UNSUPPORTED',
    ];
    for (const code of codes) {
      const c = classifyNetworkError(new TypeError('fetch failed', { cause: err(`tls problem ${code}`, { code }) }));
      expect(c.errorType, code).toBe('tls');
      expect(c.timeoutPhase, code).toBeNull();
    }
  });

  it('cancelled: AbortError (also a DOMException with a numeric code) and UND_ERR_ABORTED', () => {
    expect(classifyNetworkError(new DOMException('This operation was aborted', 'AbortError')).errorType).toBe('cancelled');
    expect(classifyNetworkError(err('Request aborted', { code: 'UND_ERR_ABORTED', name: 'RequestAbortedError' })).errorType).toBe('cancelled');
    expect(classifyNetworkError(err('aborted', { name: 'AbortError' })).errorType).toBe('cancelled');
  });

  it('headers and body timeouts map to first_token and idle', () => {
    expect(classifyNetworkError(err('Headers Timeout Error', { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toMatchObject({
      errorType: 'timeout',
      timeoutPhase: 'first_token',
    });
    expect(classifyNetworkError(err('Body Timeout Error', { code: 'UND_ERR_BODY_TIMEOUT' }))).toMatchObject({ errorType: 'timeout', timeoutPhase: 'idle' });
  });

  it('ETIMEDOUT is a connect timeout on connect, a dead connection otherwise', () => {
    expect(classifyNetworkError(err('connect ETIMEDOUT 10.0.0.1:443', { code: 'ETIMEDOUT', syscall: 'connect' }))).toMatchObject({
      errorType: 'timeout',
      timeoutPhase: 'connect',
    });
    expect(classifyNetworkError(err('read ETIMEDOUT', { code: 'ETIMEDOUT', syscall: 'read' }))).toMatchObject({
      errorType: 'connection_reset',
      timeoutPhase: null,
    });
  });

  it('AbortSignal.timeout() is a total timeout', () => {
    expect(classifyNetworkError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toMatchObject({
      errorType: 'timeout',
      timeoutPhase: 'total',
    });
  });

  it('unknown errors are resets carrying the messages of the chain', () => {
    const c = classifyNetworkError(new TypeError('fetch failed', { cause: new Error('something odd') }));
    expect(c).toEqual({ errorType: 'connection_reset', timeoutPhase: null, message: 'fetch failed: something odd' });
    expect(classifyNetworkError('a string')).toEqual({ errorType: 'connection_reset', timeoutPhase: null, message: 'a string' });
    expect(classifyNetworkError(undefined)).toEqual({ errorType: 'connection_reset', timeoutPhase: null, message: 'network error' });
  });

  it('survives a cause cycle and keeps the message to one short line', () => {
    const a = err(`first\nline ${'z'.repeat(500)}`);
    const b = err('second', {}, a);
    Object.assign(a, { cause: b });
    const c = classifyNetworkError(a);
    expect(c.errorType).toBe('connection_reset');
    expect(c.message.length).toBeLessThanOrEqual(200);
    expect(c.message).not.toContain('\n');
  });

  it("undici refusing relaymon's own argument is never the relay's network error", () => {
    let thrown: unknown = null;
    try {
      new Client('http://127.0.0.1:9', { headersTimeout: 2500.5 });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).not.toBeNull();
    expect(() => classifyNetworkError(thrown)).toThrow(OwnArgumentError);
    expect(() => classifyNetworkError(thrown)).toThrow(/headersTimeout must be a positive integer or zero/);
    expect(() => classifyNetworkError(err('invalid bodyTimeout', { code: 'UND_ERR_INVALID_ARG', name: 'InvalidArgumentError' }))).toThrow(OwnArgumentError);
    // A socket error wrapping something deeper stays the network's.
    expect(classifyNetworkError(err('other side closed', { code: 'UND_ERR_SOCKET' }, err('x', { code: 'UND_ERR_INVALID_ARG' }))).errorType).toBe('connection_reset');
  });
});
