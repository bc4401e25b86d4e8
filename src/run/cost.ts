import { readFile } from 'node:fs/promises';
import { EXIT, UsageError, type ExitCode } from '../core/errors.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import { PriceTable } from '../pricing/table.js';
import { loadPricesFile } from '../pricing/load.js';
import { fsReason } from '../core/fs-reason.js';
import { projectCost, type CostTarget } from '../cost/cost-mix.js';
import { ratiosFromFile } from '../cost/measured.js';
import { readMixFile } from '../cost/mix-file.js';
import { costText } from '../cost/cost-text.js';
import { checkOutputPath, contextInputs, processIo, refuseClobbering, writeOutputFile, type InputFile } from './io.js';

/** `relaymon cost`: a monthly bill per target from a traffic mix (src/cost); cli/cost.ts declares its flags. */
export interface CostFlags {
  mix?: string;
  from?: string;
  targets?: string;
  config?: string;
  prices?: string;
  json?: boolean;
  summary?: string;
  color: boolean;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${fsReason(err)}`, { cause: err });
  }
}

export async function runCost(flags: CostFlags): Promise<ExitCode> {
  const io = processIo({ color: flags.color });
  checkOutputPath(flags.summary, '--summary');
  const mix = await readMixFile(flags.mix!);
  // Only names and multipliers matter here: no target is resolved, so no key has to be set.
  const configPath = findConfigFile({ cwd: process.cwd(), explicit: flags.config, env: process.env });
  const config = configPath ? await loadConfig(configPath) : null;
  const inputs: InputFile[] = [{ path: flags.mix!, label: `the mix file (--mix ${flags.mix!})` }, ...contextInputs({ config, configPath }, flags)];
  if (flags.from !== undefined) inputs.push({ path: flags.from, label: `the measurements file (--from ${flags.from})` });
  refuseClobbering(inputs, [{ flag: '--summary', path: flags.summary }]);
  let prices = PriceTable.builtIn();
  if (config?.prices) prices = await loadPricesFile(config.prices, prices);
  if (flags.prices) prices = await loadPricesFile(flags.prices, prices);
  const configured: CostTarget[] = Object.entries(config?.targets ?? {}).map(([name, t]) => ({ name, priceMultiplier: t.priceMultiplier ?? 1 }));
  const measured: ReturnType<typeof ratiosFromFile> = flags.from === undefined ? new Map() : ratiosFromFile(await readText(flags.from, 'measurements'), flags.from);
  // Without a config, the measured targets still name the rows (at list price), so --from is never ignored.
  const fromMeasured: CostTarget[] = [...measured.keys()].map((name) => ({ name, priceMultiplier: 1 }));
  if (configured.length === 0 && fromMeasured.length > 0) {
    io.err(`cost: no config file found: ${flags.from}'s targets at list price (priceMultiplier 1); pass --config for their multipliers\n`);
  }
  let targets = configured.length > 0 ? configured : fromMeasured.length > 0 ? fromMeasured : [{ name: 'list price', priceMultiplier: 1 }];
  if (flags.targets !== undefined) {
    const names = flags.targets.split(',').map((n) => n.trim()).filter(Boolean);
    targets = names.map((n) => {
      const t = configured.find((c) => c.name === n);
      if (!t) throw new UsageError(`unknown target "${n}" (configured: ${configured.map((c) => c.name).join(', ') || 'none'})`);
      return t;
    });
  }
  const projection = projectCost(mix, targets, prices, measured);
  const json = { command: 'cost', ...projection };
  io.out(flags.json ? JSON.stringify(json, null, 2) + '\n' : costText(projection));
  if (flags.summary) writeOutputFile(flags.summary, JSON.stringify(json, null, 2) + '\n', '--summary');
  return EXIT.ok;
}
