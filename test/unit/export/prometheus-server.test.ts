import { request as httpRequest, Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { metricsAddress, parseMetricsPort, startMetrics } from '../../../src/run/metrics.js';
import { UsageError } from '../../../src/core/errors.js';
import { startMetricsServer } from '../../../src/export/metrics-server.js';
import { target } from '../../helpers/target.js';
import { engineSnapshot } from '../ui/fixtures.js';
import { result } from './result.js';

function get(url: string, agent?: Agent, method = 'GET'): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('parseMetricsPort and metricsAddress', () => {
  it('takes 0-65535 and refuses anything else with a UsageError', () => {
    expect(parseMetricsPort('9464')).toBe(9464);
    expect(parseMetricsPort('0')).toBe(0);
    expect(parseMetricsPort('65535')).toBe(65535);
    for (const bad of ['65536', '-1', 'abc', '', '94.64', '9464x', '1e3', '123456']) {
      expect(() => parseMetricsPort(bad), bad).toThrow(UsageError);
    }
  });

  it('is null without --metrics-port; --metrics-host alone is an error; [::1] is unbracketed', () => {
    expect(metricsAddress({})).toBeNull();
    expect(metricsAddress({ metricsHost: '127.0.0.1' })).toBeNull();
    expect(() => metricsAddress({ metricsHost: '0.0.0.0' })).toThrow('--metrics-host needs --metrics-port');
    expect(metricsAddress({ metricsPort: '9464' })).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(metricsAddress({ metricsPort: '0', metricsHost: '[::1]' })).toEqual({ host: '::1', port: 0 });
    expect(() => metricsAddress({ metricsPort: '1', metricsHost: 'http://x/' })).toThrow(UsageError);
  });
});

describe('startMetricsServer', () => {
  it('serves /metrics on loopback, 404 elsewhere, 405 for other methods', async () => {
    const srv = await startMetricsServer('127.0.0.1', 0, { render: async () => 'x_total 1\n', contentType: 'text/plain; version=0.0.4' });
    try {
      expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/metrics`);
      expect(await get(srv.url)).toEqual({ status: 200, body: 'x_total 1\n', type: 'text/plain; version=0.0.4' });
      expect((await get(`${srv.url}?x=1`)).status).toBe(200);
      expect((await get(`http://127.0.0.1:${srv.port}/`)).status).toBe(404);
      expect((await get(`http://127.0.0.1:${srv.port}/metricsx`)).status).toBe(404);
      expect((await get(srv.url, undefined, 'DELETE')).status).toBe(405);
      expect((await get(srv.url, undefined, 'HEAD')).body).toBe('');
    } finally {
      await srv.close();
    }
  });

  it('answers 500, not a crash, when rendering fails', async () => {
    const srv = await startMetricsServer('127.0.0.1', 0, { render: () => Promise.reject(new Error('boom')), contentType: 'text/plain' });
    try {
      expect((await get(srv.url)).status).toBe(500);
    } finally {
      await srv.close();
    }
  });

  it('closes promptly with a scraper holding a keep-alive connection, and twice is fine', async () => {
    const srv = await startMetricsServer('127.0.0.1', 0, { render: async () => 'x 1\n', contentType: 'text/plain' });
    const agent = new Agent({ keepAlive: true });
    try {
      expect((await get(srv.url, agent)).status).toBe(200);
      const started = performance.now();
      await Promise.all([srv.close(), srv.close()]);
      expect(performance.now() - started).toBeLessThan(2000);
      await expect(get(srv.url)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });

  it('rejects with the listen error when the port is taken', async () => {
    const first = await startMetricsServer('127.0.0.1', 0, { render: async () => '', contentType: 'text/plain' });
    try {
      await expect(startMetricsServer('127.0.0.1', first.port, { render: async () => '', contentType: 'text/plain' })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });
});

describe('startMetrics (the API watch, check and replay use)', () => {
  it('null without --metrics-port', async () => {
    expect(await startMetrics({}, [])).toBeNull();
  });

  it('says where it serves on the err writer, feeds snapshots, and turns a taken port into a UsageError', async () => {
    const lines: string[] = [];
    const handle = (await startMetrics({ metricsPort: '0' }, [target('relay', 'http://127.0.0.1:9/v1')], { err: (t) => lines.push(t) }))!;
    try {
      expect(lines).toEqual([`metrics: serving Prometheus metrics at ${handle.url}\n`]);
      handle.onSnapshot(engineSnapshot({ results: [result(), result()] }));
      const text = (await get(handle.url)).body;
      expect(text).toMatch(/^relaymon_requests_total\{[^}]*relaymon_target="relay"[^}]*\} 2$/m);
      const port = new URL(handle.url).port;
      const clash = startMetrics({ metricsPort: port }, [], { err: () => undefined });
      await expect(clash).rejects.toThrow(UsageError);
      await expect(clash).rejects.toThrow(`--metrics-port ${port}: 127.0.0.1:${port} is already in use`);
    } finally {
      await handle.close();
    }
  });
});
