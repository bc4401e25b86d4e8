import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { buildConnector } from 'undici';

type Connector = buildConnector.connector;
type ConnectOptions = buildConnector.Options;
type ConnectResult = Parameters<buildConnector.Callback>;

/**
 * A warm spare not taken within this long is closed: undici closes its own
 * idle keep-alive sockets after the same 30 s (connections.ts), and a relay
 * holding an idle connection nobody uses gains nothing.
 */
const SPARE_IDLE_MS = 30_000;

/** Sockets a warm-up opened: the request that takes one did not open it, so it reports a reused connection. */
const warmedSockets = new WeakSet<Socket>();
/** When the connector started opening each socket it opened for a request (its connectMs starts here). */
const connectStarts = new WeakMap<Socket, number>();

export const openedByWarmUp = (socket: Socket): boolean => warmedSockets.has(socket);
export const connectStartOf = (socket: Socket): number | undefined => connectStarts.get(socket);

function keyOf(protocol: string, host: string | undefined, hostname: string, port: string): string {
  return `${protocol}//${host ?? (port ? `${hostname}:${port}` : hostname)}`;
}

/** What undici's client passes its connector (dispatcher/client.js connect): an IPv6 host without brackets. */
const bareHostname = (origin: URL): string => (origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname);

/**
 * Pre-opened connections for one pool (connections.ts createDispatcher).
 *
 * undici opens a connection only for a request waiting to be written, so the
 * first requests of a run used to pay the connect (and undici's first-time
 * set-up) on their own scheduled instant. A run knows its schedule, so the
 * engine asks for connections before the first instant (`warm`): they are
 * opened with the very connector undici would use (same TLS options and
 * session cache, same timeout) and parked here, and the pool's connector
 * hands a parked one to the next client that needs a connection instead of
 * opening one. Only TCP (and TLS) is opened: no byte of HTTP goes out, so a
 * warm-up is never a request to the relay, let alone a billed one.
 */
export class Spares {
  private readonly parked = new Map<string, Socket[]>();
  /** Each parked socket's listeners, removed when undici takes it. */
  private readonly unpark = new Map<Socket, () => void>();
  private expiry: NodeJS.Timeout | null = null;
  private closed = false;
  /** While > 0 the connector only hands over parked sockets, and fails rather than open one (hand-over.ts). */
  private parkedOnly = 0;

  constructor(private readonly base: Connector) {}

  /** The pool's connector: a parked socket if one is alive, else a new connection, timed from here. */
  readonly connector: Connector = (opts: ConnectOptions, callback: buildConnector.Callback): void => {
    const spare = this.take(keyOf(opts.protocol, opts.host, opts.hostname, opts.port));
    if (spare) {
      // Never synchronously: undici's client ignores a resume from inside its own resume (dispatcher/client.js
      // connect), so a connection handed over in the same call would sit unused and its request never be written.
      queueMicrotask(() => callback(null, spare));
      return;
    }
    if (this.parkedOnly > 0) {
      queueMicrotask(() => callback(new Error('no warm connection left to hand over'), null));
      return;
    }
    const startedAt = performance.now();
    this.base(opts, (...result: ConnectResult) => {
      if (result[0] === null) connectStarts.set(result[1], startedAt);
      callback(...result);
    });
  };

  /**
   * Opens `count` connections to `origin` at once. Settles when each has
   * connected or failed, or after `waitMs`, whichever is first: a relay that
   * does not answer delays the run by at most `waitMs`, and a connect still
   * under way then is parked when it lands (or dropped when it fails).
   * Failures are not reported here: the request that then opens its own
   * connection meets the same failure and reports it, as without a warm-up.
   */
  warm(origin: URL, count: number, waitMs: number): Promise<void> {
    if (count <= 0 || this.closed) return Promise.resolve();
    const hostname = bareHostname(origin);
    const opts: ConnectOptions = { host: origin.host, hostname, protocol: origin.protocol, port: origin.port, localAddress: null };
    const key = keyOf(origin.protocol, origin.host, hostname, origin.port);
    return new Promise((resolve) => {
      let left = count;
      const timer = setTimeout(resolve, waitMs);
      const settled = (): void => {
        left -= 1;
        if (left > 0) return;
        clearTimeout(timer);
        resolve();
      };
      for (let i = 0; i < count; i++) {
        this.base(opts, (...result: ConnectResult) => {
          if (result[0] === null) this.park(key, result[1]);
          settled();
        });
      }
    });
  }

  /** How many warm connections to `origin` are parked, waiting for the pool to take them. */
  parkedFor(origin: URL): number {
    return this.parked.get(keyOf(origin.protocol, origin.host, bareHostname(origin), origin.port))?.length ?? 0;
  }

  /** Runs `fn` with the connector taking parked sockets only: `fn`'s connects never open a connection. */
  async onlyParked(fn: () => Promise<void>): Promise<void> {
    this.parkedOnly += 1;
    try {
      await fn();
    } finally {
      this.parkedOnly -= 1;
    }
  }

  /** The pool is closing: parked sockets are closed, and warm connects still landing are closed as they land. */
  close(): void {
    this.closed = true;
    if (this.expiry) clearTimeout(this.expiry);
    for (const list of this.parked.values()) for (const s of list) s.destroy();
    this.parked.clear();
    this.unpark.clear();
  }

  private park(key: string, socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    warmedSockets.add(socket);
    // A parked socket must not keep a process alive; undici refs it again while a request is on it.
    socket.unref();
    const drop = (): void => {
      this.remove(key, socket);
      socket.destroy();
    };
    // A relay never speaks first on HTTP/1.1: bytes or an end on an idle socket mean it is unusable.
    // (Flowing mode while parked is harmless: undici's 'readable' listener switches it back to paused reads.)
    socket.on('data', drop);
    socket.on('end', drop);
    socket.on('error', drop);
    socket.on('close', drop);
    this.unpark.set(socket, () => {
      socket.off('data', drop);
      socket.off('end', drop);
      socket.off('error', drop);
      socket.off('close', drop);
    });
    const list = this.parked.get(key) ?? [];
    list.push(socket);
    this.parked.set(key, list);
    this.expiry ??= setTimeout(() => this.close(), SPARE_IDLE_MS).unref();
  }

  private take(key: string): Socket | null {
    const list = this.parked.get(key);
    while (list && list.length > 0) {
      const socket = list.shift()!;
      this.unpark.get(socket)?.();
      this.unpark.delete(socket);
      if (socket.destroyed || socket.errored || !socket.writable) continue;
      socket.ref();
      return socket;
    }
    return null;
  }

  private remove(key: string, socket: Socket): void {
    this.unpark.get(socket)?.();
    this.unpark.delete(socket);
    const list = this.parked.get(key);
    const i = list?.indexOf(socket) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
  }
}
