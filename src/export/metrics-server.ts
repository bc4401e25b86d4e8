/**
 * The HTTP side of the Prometheus export: `GET /metrics` (and HEAD) serves
 * the exposition text, everything else is 404 (405 for another method on
 * /metrics). Loopback by default: the numbers say which relays a team uses
 * and what it spends, so exposing them is the user's explicit choice
 * (`--metrics-host 0.0.0.0`). Close ends keep-alive connections too, so a
 * scraper holding one open never delays the exit.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { DEFAULT_METRICS_HOST, METRICS_PATH } from './metrics-defaults.js';

export { DEFAULT_METRICS_HOST, METRICS_PATH };

export interface MetricsSource {
  render(): Promise<string>;
  contentType: string;
}

export interface MetricsServer {
  /** http://host:port/metrics, with the port actually bound (port 0 picks a free one). */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

function handler(source: MetricsSource) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`not found: metrics are served at ${METRICS_PATH}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    source.render().then(
      (body) => {
        res.writeHead(200, { 'content-type': source.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('could not render metrics\n');
      },
    );
  };
}

/** Rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL, ENOTFOUND, EACCES) for the caller to explain. */
export function startMetricsServer(host: string, port: number, source: MetricsSource): Promise<MetricsServer> {
  const server = createServer(handler(source));
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.close();
      reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address() as AddressInfo;
      const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      let closing: Promise<void> | null = null;
      resolve({
        url: `http://${shownHost}:${addr.port}${METRICS_PATH}`,
        host: addr.address,
        port: addr.port,
        close: () => {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
