import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadRanks, parseTiktokenRanks } from '../../../src/tokens/ranks.js';

const requireCjs = createRequire(import.meta.url);

describe('ranks from gpt-tokenizer’s .tiktoken data', () => {
  // The counts stay the library's only if every rank is the one its generated module holds.
  it.each(['o200k_base', 'cl100k_base'])('%s: every rank equals the library’s generated module, holes included', (name) => {
    const fromData = loadRanks(name);
    const fromModule = (requireCjs(`gpt-tokenizer/bpeRanks/${name}`) as { default: (string | number[])[] }).default;
    expect(fromData.length).toBe(fromModule.length);
    let differing = 0;
    for (let r = 0; r < fromModule.length; r++) {
      if (r in fromModule !== r in fromData) differing++;
      else if (r in fromModule && JSON.stringify(fromModule[r]) !== JSON.stringify(fromData[r])) differing++;
    }
    expect(differing).toBe(0);
    expect(fromData.filter((v) => typeof v !== 'string').length).toBeGreaterThan(0);
  });

  it('reads text tokens as strings, others (bad UTF-8, a leading BOM) as bytes, and leaves missing ranks as holes', () => {
    const line = (bytes: number[], rank: number): string => `${Buffer.from(bytes).toString('base64')} ${rank}`;
    const data = Buffer.from([line([0x68, 0x69], 0), line([0xff], 1), line([0xef, 0xbb, 0xbf, 0x61], 3), line([0xe4, 0xbd, 0xa0], 4), ''].join('\n'));
    const ranks = parseTiktokenRanks(data);
    expect(ranks.length).toBe(5);
    expect(ranks[0]).toBe('hi');
    expect(ranks[1]).toEqual([0xff]);
    expect(2 in ranks).toBe(false);
    expect(ranks[3]).toEqual([0xef, 0xbb, 0xbf, 0x61]);
    expect(ranks[4]).toBe('你');
  });
});
