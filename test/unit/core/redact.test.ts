import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, looksLikeCredential, redact, registerSecret, registerUrlSecrets } from '../../../src/core/redact.js';
import { normaliseBaseUrl } from '../../../src/config/targets.js';

afterEach(() => clearSecrets());

describe('redact: a key is removed wherever and however it is written', () => {
  it('user-info, and query values named like a key, are registered from a URL', () => {
    registerUrlSecrets('https://alice:pa%2Fss-word-1@relay.example/v1?api-key=qk-123456&key=k2-abcdef&model=gpt-4o');
    const text = 'pa/ss-word-1 pa%2Fss-word-1 alice qk-123456 k2-abcdef gpt-4o';
    expect(redact(text)).toBe('[REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] gpt-4o');
  });

  it('normaliseBaseUrl registers a ?key= value (it did not: a key in the query reached --summary)', () => {
    normaliseBaseUrl('http://127.0.0.1:9/v1?key=query-secret-9f8e');
    expect(redact('{"baseUrl":"http://127.0.0.1:9/v1?key=query-secret-9f8e"}')).toBe('{"baseUrl":"http://127.0.0.1:9/v1?key=[REDACTED]"}');
  });

  it('a key is also caught in its URL-encoded and JSON-escaped spellings (a path segment, a JSON string)', () => {
    const key = 'sk-a/b+c"d\\e';
    registerSecret(key);
    expect(redact(`http://h/${encodeURIComponent(key)}/v1`)).toBe('http://h/[REDACTED]/v1');
    expect(redact(JSON.stringify({ k: key }))).toBe('{"k":"[REDACTED]"}');
  });

  it('a path segment, query value or fragment shaped like a key is registered from a URL, whatever its name (a tester found a key in the path printed everywhere)', () => {
    const key = 'sk-HOSTILE-0123456789abcdefghij';
    registerUrlSecrets(`http://127.0.0.1:9/${key}/v1?k=tok_8f7e6d5c4b3a2910ffee&api-version=2024-06-01#ZXhhbXBsZTEyMzQ1Njc4OTBhYmNkZWZn`);
    expect(redact(`POST http://127.0.0.1:9/${key}/v1/chat/completions`)).toBe('POST http://127.0.0.1:9/[REDACTED]/v1/chat/completions');
    expect(redact('tok_8f7e6d5c4b3a2910ffee ZXhhbXBsZTEyMzQ1Njc4OTBhYmNkZWZn')).toBe('[REDACTED] [REDACTED]');
    // What is not shaped like a key stays readable.
    expect(redact('v1 2024-06-01 gpt-4o-2024-08-06')).toBe('v1 2024-06-01 gpt-4o-2024-08-06');
  });

  it('looksLikeCredential: key prefixes and long letter-digit tokens, not versions, model names or words', () => {
    for (const v of ['sk-or-v1-abcdef123456', 'key_live_abcdefgh', 'a1b2c3d4e5f6g7h8i9j0k1', 'AIzaSyD-1234abcdEFGHijkl5678']) expect(looksLikeCredential(v), v).toBe(true);
    for (const v of ['v1', 'openai', 'gpt-4o-2024-08-06', 'claude-sonnet-4-5-20250929', 'deployments', 'my-gpt4o-deployment-west', '2024-06-01-preview']) {
      expect(looksLikeCredential(v), v).toBe(false);
    }
  });

  it('a password in any URL is cut even if it was never registered', () => {
    expect(redact('GET http://bob:never-registered@host/v1 and ftp://x:y@z')).toBe('GET http://bob:[REDACTED]@host/v1 and ftp://x:[REDACTED]@z');
    expect(redact('mail bob@example.com at 12:30, see http://host:8080/path')).toBe('mail bob@example.com at 12:30, see http://host:8080/path');
  });

  it('stays linear on a huge text with @ in it', () => {
    const huge = ':/'.repeat(500_000) + 'a.b-c'.repeat(200_000) + '@';
    // A quadratic scan of these 2 MB would run for many minutes and trip the test's timeout.
    expect(redact(huge)).toBe(huge);
  }, 60_000);
});

describe('redact: the shapes a relay echoes a key back in (round 18, F-leak-1)', () => {
  const KEY = 'sk-SENTINEL-hostile-0000+/xyz';
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  const b64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

  it('lower- and upper-cased', () => {
    registerSecret(KEY);
    expect(redact(`lower ${KEY.toLowerCase()} upper ${KEY.toUpperCase()} as is ${KEY}`)).toBe('lower [REDACTED] upper [REDACTED] as is [REDACTED]');
  });

  it('base64 and base64url of the key, of "Bearer <key>", of user:key, and inside an encoded JSON body, at every offset', () => {
    registerSecret(KEY);
    const texts = [KEY, `Bearer ${KEY}`, `user:${KEY}`, JSON.stringify({ a: 1, key: KEY, b: 'tail' }), `x${KEY}`, `xy${KEY}`];
    for (const t of texts) {
      for (const encoded of [b64(t), b64url(t)]) {
        const out = redact(`echo ${encoded} end`);
        expect(out, `${t} → ${encoded}`).toContain('[REDACTED]');
        // Nothing of the key survives: decoding what is left finds no piece of it 8 characters long.
        for (const piece of out.split(/\[REDACTED\]|\s/)) {
          const decoded = Buffer.from(piece, 'base64').toString('latin1');
          for (let i = 0; i + 8 <= KEY.length; i++) expect(decoded).not.toContain(KEY.slice(i, i + 8));
        }
      }
    }
  });

  it('leaves ordinary text and other base64 alone, and a short secret gets no base64 spellings', () => {
    registerSecret(KEY);
    registerSecret('abcd1234');
    const other = b64('an unrelated payload of the same length as the key..');
    expect(redact(`model gpt-4o, ${other}`)).toBe(`model gpt-4o, ${other}`);
    expect(redact(`x ${b64('abcd1234')} ABCD1234`)).toBe(`x ${b64('abcd1234')} [REDACTED]`);
  });

  it('is one pass: a megabyte of text with many secrets registered stays fast', () => {
    for (let i = 0; i < 40; i++) registerSecret(`sk-test-${i}-0123456789abcdefghij`);
    const text = 'lorem ipsum sk-test dolor 0123456789 '.repeat(30_000);
    const t0 = performance.now();
    expect(redact(text)).toBe(text);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
