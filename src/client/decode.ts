/**
 * Content-Encoding, as an HTTP client reads it. undici's dispatch API hands
 * over the bytes as they came off the wire, and its decompress interceptor is
 * experimental (it prints a warning), so relaymon decodes here with node:zlib,
 * streaming, so that a compressed SSE stream is read event by event.
 */
import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';

export interface BodyDecoder {
  /** The encoding being undone, for messages. */
  readonly encoding: string;
  push(chunk: Buffer): void;
  /** Flushes; `done` runs after the last decoded bytes were delivered (or after onError). */
  end(done: () => void): void;
  destroy(): void;
}

type Zlib = Gunzip | ReturnType<typeof createInflate> | ReturnType<typeof createBrotliDecompress>;

const DECODERS: Record<string, () => Zlib> = {
  gzip: () => createGunzip(),
  'x-gzip': () => createGunzip(),
  deflate: () => createInflate(),
  br: () => createBrotliDecompress(),
};

/**
 * A decoder for the response's content-encoding, or null when the body is to
 * be read as it is (none, identity, or an encoding we do not know: then the
 * JSON/SSE readers report what they see).
 */
export function bodyDecoder(
  contentEncoding: string | string[] | undefined,
  onData: (decoded: Buffer) => void,
  onError: (message: string) => void,
): BodyDecoder | null {
  // Most answers carry no content-encoding: no string work for them.
  if (contentEncoding === undefined) return null;
  const raw = (Array.isArray(contentEncoding) ? contentEncoding.join(',') : (contentEncoding ?? '')).toLowerCase();
  // Several codings are applied in the order listed, so they are undone last first.
  const codings = raw.split(',').map((c) => c.trim()).filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0 || !codings.every((c) => c in DECODERS)) return null;
  const chain = codings.reverse().map((c) => DECODERS[c]!());
  for (let i = 0; i + 1 < chain.length; i++) chain[i]!.pipe(chain[i + 1]!);
  const first = chain[0]!;
  const last = chain[chain.length - 1]!;
  let failed = false;
  let finished: (() => void) | null = null;
  const fail = (err: Error): void => {
    if (failed) return;
    failed = true;
    onError(`could not decode the ${codings.join(', ')}-encoded body: ${err.message}`);
    finished?.();
  };
  for (const z of chain) z.on('error', fail);
  last.on('data', (d: Buffer) => {
    if (!failed) onData(d);
  });
  last.on('end', () => {
    if (!failed) finished?.();
  });
  return {
    encoding: codings.join(', '),
    push(chunk) {
      if (!failed) first.write(chunk);
    },
    end(done) {
      finished = done;
      if (failed) done();
      else first.end();
    },
    destroy() {
      failed = true;
      for (const z of chain) z.destroy();
    },
  };
}
