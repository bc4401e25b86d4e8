import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets } from '../../../src/core/redact.js';
import { loadConfig, parseConfigText } from '../../../src/config/load.js';
import { expandEnv, readKeyFile } from '../../../src/config/secrets.js';
import { resolveTargets } from '../../../src/config/targets.js';
import { SENTINEL, caught, tempDir, writeIn } from './tmp.js';

afterEach(() => clearSecrets());

const FILE = join(process.cwd(), 'relaymon.config.yaml');

/**
 * Every way we know of to provoke an error while a key is around: in the
 * environment, in a key file, or pasted by mistake into the config or a flag.
 * None of the messages may contain it (redaction is a second line of defence,
 * not the first, so these are checked without it).
 */
describe('a key never appears in an error message', () => {
  const env = { RELAY_API_KEY: SENTINEL, OPENAI_API_KEY: SENTINEL, ANTHROPIC_API_KEY: SENTINEL, GATEWAY_KEY: SENTINEL };
  const messages: string[] = [];
  const collect = async (fn: () => unknown) => {
    const err = await caught(fn);
    messages.push(err.message);
  };

  it('in all the error paths', async () => {
    const parse = (text: string) => () => parseConfigText(text, FILE);
    // Pasted into the config file.
    await collect(parse(`targets:\n  r: { baseUrl: "https://r.example/v1", apiKey: ${SENTINEL} }\n`));
    await collect(parse(`targets:\n  r: { baseUrl: "https://r.example/v1", apiKeyEnv: ${SENTINEL} }\n`));
    await collect(parse(`targets:\n  r: { baseUrl: "https://r.example/v1", apiKeyEnv: aB3dE5gH7jK9mN1pQ3sT5vX7 }\n`));
    await collect(parse(`targets:\n  r: { baseUrl: "https://r.example/v1", headers: { Authorization: "Bearer ${SENTINEL}" } }\n`));
    await collect(parse(`targets:\n  r: { baseUrl: "https://r.example/v1", headers: { X-Api-Key: ${SENTINEL} } }\n`));
    await collect(parse(`targets:\n  r: { baseUrl: ${SENTINEL} }\n`));
    await collect(parse(`notify: { webhook: ${SENTINEL} }\n`));
    await collect(parse(`probes:\n  p: { model: m, every: ${SENTINEL} }\n`));
    await collect(parse(`targets:\n  r: { baseUrl: "https://r.example/v1", concurrency: ${SENTINEL} }\n`));
    await collect(parse(`${SENTINEL}: 1\n`));
    // Pasted into a flag.
    await collect(() => resolveTargets({ config: null, flags: { apiKeyEnv: SENTINEL }, env }));
    await collect(() => resolveTargets({ config: null, flags: { baseUrl: SENTINEL }, env }));
    await collect(() => resolveTargets({ config: null, flags: { apiKeyHeader: SENTINEL }, env }));
    // Held in the environment or a key file while something else goes wrong.
    await collect(() => resolveTargets({ config: null, flags: { apiKeyEnv: 'MISSING_KEY' }, env }));
    await collect(() => resolveTargets({ config: null, flags: { target: 'x' }, env }));
    await collect(() => resolveTargets({ config: null, flags: {}, env: { ...env, OPENAI_BASE_URL: 'nope' } }));
    const twoTargets = parseConfigText(
      'targets:\n  r:\n    baseUrl: https://r.example/v1\n    apiKeyEnv: RELAY_API_KEY\n    headers: { X-Gateway-Key: "${GATEWAY_KEY}", Authorization: "${GATEWAY_KEY}", X-Other: "${UNSET_ONE}" }\n',
      FILE,
    );
    await collect(() => resolveTargets({ config: twoTargets, flags: {}, env }));
    await collect(() => resolveTargets({ config: twoTargets, flags: { target: 'nope' }, env }));
    await collect(() => resolveTargets({ config: twoTargets, flags: { target: SENTINEL }, env }));
    await collect(() => resolveTargets({ config: null, flags: { target: SENTINEL }, env }));
    await collect(() => expandEnv('${GATEWAY_KEY} ${UNSET_ONE}', env, 'where'));
    const dir = tempDir();
    const loose = writeIn(dir, 'loose.key', SENTINEL, 0o644);
    if (process.platform !== 'win32') await collect(() => readKeyFile(loose));
    const cfgPath = writeIn(dir, 'relaymon.config.yaml', `targets:\n  r: { baseUrl: "https://r.example/v1", apiKeyFile: loose.key }\n`);
    if (process.platform !== 'win32') await collect(async () => resolveTargets({ config: await loadConfig(cfgPath), flags: {}, env }));
    const bad = writeIn(dir, 'broken.yaml', `targets:\n  r: { baseUrl: "https://r.example/v1", apiKeyEnv: "${SENTINEL}\n`);
    await collect(() => loadConfig(bad));

    expect(messages.length).toBeGreaterThanOrEqual(20);
    for (const m of messages) {
      expect(m).not.toContain(SENTINEL);
      expect(m).not.toContain('aB3dE5gH7jK9mN1pQ3sT5vX7');
    }
    // They still say what is wrong.
    expect(messages[0]).toContain('r.apiKey: unknown key: keys never go in the config file');
    expect(messages[3]).toContain('targets.r.headers.Authorization: expected "${ENV_VAR}"');
  });
});
