import { describe, expect, it } from 'vitest';
import { capAnswer, jsonOutput, makeAnswer, outputText, pieceKind, reasoningText, textAnswer, tokensOf } from '../../../src/mock/answer.js';
import { responseText } from '../../../src/mock/wire-text.js';

describe('answers', () => {
  it('puts reasoning before the output and counts both', () => {
    const a = makeAnswer(3, { kind: 'text', count: 4 });
    expect(a.pieces).toBe(7);
    expect([0, 2, 3, 6].map((i) => pieceKind(a, i))).toEqual(['reasoning', 'reasoning', 'text', 'text']);
    expect(tokensOf(a, 7)).toEqual({ output: 7, reasoning: 3 });
    expect(tokensOf(a, 2)).toEqual({ output: 2, reasoning: 2 });
    expect(reasoningText(a, 7)).toBe('Let me think');
    expect(outputText(a, 5)).toBe(responseText(2));
  });

  it('cuts at the limit in whole pieces, reasoning included, and says so', () => {
    expect(capAnswer(textAnswer(5), 10)).toEqual({ ...textAnswer(5), capped: false });
    expect(capAnswer(textAnswer(5), null).capped).toBe(false);
    const cut = capAnswer(makeAnswer(4, { kind: 'text', count: 4 }), 6);
    expect(cut).toMatchObject({ reasoning: 4, pieces: 6, capped: true });
    expect(capAnswer(makeAnswer(4, { kind: 'text', count: 4 }), 2)).toMatchObject({ reasoning: 2, pieces: 2, capped: true });
  });

  it('sends tool arguments as fragments and counts their tokens', () => {
    const a = makeAnswer(0, jsonOutput('tool', '{"city":"Paris","days":3}', 'weather'));
    expect(pieceKind(a, 0)).toBe('tool');
    expect(outputText(a, a.pieces)).toBe('{"city":"Paris","days":3}');
    const cut = capAnswer(a, 3);
    expect(cut.capped).toBe(true);
    expect(tokensOf(cut, cut.pieces).output).toBeLessThanOrEqual(3);
    expect(() => JSON.parse(outputText(cut, cut.pieces))).toThrow();
  });
});
