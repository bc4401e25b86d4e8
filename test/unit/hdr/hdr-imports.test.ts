import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';

/**
 * src/hdr/histogram.ts reads its bucket layout from hdr-histogram-js's pure-JS
 * Int32Histogram; the package's index would also load its WebAssembly build.
 * The built module is loaded in a fresh process and every CommonJS file it
 * pulled in is listed (ESM imports of CommonJS go through require's cache).
 */
describe('hdr/histogram.ts', () => {
  it('loads no WebAssembly build, base64-js, pako or @assemblyscript/loader', () => {
    const code = `
      import { createRequire } from 'node:module';
      await import(${JSON.stringify(`${ROOT}/dist/hdr/histogram.js`)});
      console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
    const files = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' })) as string[];
    const hdrFiles = files.filter((f) => f.includes('hdr-histogram-js'));
    expect(hdrFiles.some((f) => f.endsWith('Int32Histogram.js'))).toBe(true);
    expect(files.filter((f) => /[\\/](wasm|base64-js|pako|@assemblyscript)[\\/]/.test(f) || f.endsWith('hdr-histogram-js/dist/index.js'))).toEqual([]);
  });
});
