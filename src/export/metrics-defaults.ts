/**
 * Where /metrics is served by default, apart from metrics-server.ts: the
 * flags' --help quotes it, and registering a command must not load node:http.
 */
export const DEFAULT_METRICS_HOST = '127.0.0.1';
export const METRICS_PATH = '/metrics';
