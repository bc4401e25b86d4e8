/**
 * Turns a `notify:` URL into something to POST to. `${VAR}`s are expanded here
 * (the loaded config keeps them raw) and registered as secrets; a webhook URL
 * is a secret as a whole, since the path of a Slack or Teams webhook is the
 * credential. Credentials written into a URL (`https://user:pass@host`) become
 * a Basic Authorization header, which undici would not send on its own.
 */
import { ConfigError } from '../../core/errors.js';
import { registerSecret } from '../../core/redact.js';
import { isHttpUrl } from '../../config/primitives.js';
import { expandEnv } from '../../config/secrets.js';
import type { PostTarget } from './http.js';

export function resolveEndpoint(raw: string, env: NodeJS.ProcessEnv, where: string, secret: boolean): PostTarget {
  const expanded = expandEnv(raw, env, where);
  if (secret) registerSecret(expanded);
  if (!isHttpUrl(expanded)) {
    // Not echoed: it may be the secret itself, or carry one.
    throw new ConfigError(`${where}: expected a URL starting with http:// or https:// (the value is not shown)`, null, where);
  }
  const url = new URL(expanded);
  const headers: Record<string, string> = {};
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    registerSecret(pass);
    const token = Buffer.from(`${user}:${pass}`).toString('base64');
    registerSecret(token);
    headers['authorization'] = `Basic ${token}`;
    url.username = '';
    url.password = '';
  }
  return { url, headers };
}

/** Alertmanager's v2 endpoint under its base URL (which may carry a route prefix). */
export function alertmanagerEndpoint(base: PostTarget): PostTarget {
  const url = new URL(base.url.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v2/alerts`;
  return { url, headers: base.headers };
}
