/** The text of `relaymon cost --mix`. Pure. */
import { fmtNum, fmtPct, fmtUsd, table } from '../export/format.js';
import type { CostProjection } from './cost-mix.js';

function tokens(n: number): string {
  // Up to 10^15 a model (cost-mix.ts MAX_MIX_TOKENS): "1000T", not "1000000.00B".
  if (n >= 1e12) return `${fmtNum(n / 1e12, n >= 1e14 ? 0 : 2)}T`;
  if (n >= 1e9) return `${fmtNum(n / 1e9, 2)}B`;
  if (n >= 1e6) return `${fmtNum(n / 1e6, 1)}M`;
  if (n >= 1e3) return `${fmtNum(n / 1e3, 1)}k`;
  return fmtNum(n);
}

export function costText(p: CostProjection): string {
  const input = p.mix.reduce((s, e) => s + e.inputTokens, 0);
  const output = p.mix.reduce((s, e) => s + e.outputTokens, 0);
  let out = `relaymon cost: ${p.mix.length} model${p.mix.length === 1 ? '' : 's'}, ${tokens(input)} input + ${tokens(output)} output tokens a month\n\n`;
  out += table(
    ['target', 'price x', 'billed per counted token (in / out)', 'per month'],
    p.targets.map((t) => [
      t.name,
      fmtNum(t.priceMultiplier, 2),
      `${fmtNum(t.usageRatio.input, 2)} / ${fmtNum(t.usageRatio.output, 2)} ${t.usageRatio.measured ? '(measured)' : '(assumed)'}`,
      t.monthlyUsd === null ? 'unpriced' : `${fmtUsd(t.monthlyUsd)}${t.unpricedModels.length > 0 ? ' + unpriced' : ''}`,
    ]),
  );
  out += '\n' + table(['model', 'input', 'output', ...p.targets.map((t) => t.name)], p.mix.map((e, i) => [e.model, tokens(e.inputTokens), tokens(e.outputTokens), ...p.targets.map((t) => fmtUsd(t.models[i]!.monthlyUsd))]));
  const unpriced = [...new Set(p.targets.flatMap((t) => t.unpricedModels))];
  if (unpriced.length > 0) out += `\nNo price for ${unpriced.join(', ')}: add it with --prices FILE (LiteLLM format); totals leave it out.\n`;
  if (p.cheapest !== null && p.savings.length > 0) {
    out += '\n';
    for (const s of p.savings) out += `${p.cheapest} saves ${fmtUsd(s.monthlyUsd)} a month against ${s.target}${s.fraction === null ? '' : ` (${fmtPct(s.fraction)} of its bill)`}.\n`;
  }
  if (p.targets.some((t) => !t.usageRatio.measured)) {
    out += '\nAssumed ratios bill exactly what relaymon counts; measure them with `relaymon compare --json > c.json` and pass --from c.json.\n';
  }
  return out;
}
