import type { Command } from 'commander';
import { EXIT, UsageError, type ExitCode } from '../core/errors.js';
import { addTargetOptions, type TargetFlagValues } from './options.js';
import { processIo } from '../run/terminal.js';

interface ModelsFlags extends TargetFlagValues {
  json?: boolean;
}

export function registerModels(program: Command): void {
  const cmd = program
    .command('models')
    .description('list the model ids a target serves (GET {baseUrl}/models)')
    .option('--json', 'print a JSON array of ids');
  addTargetOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  relaymon models --base-url http://127.0.0.1:8787/v1
  relaymon models -t relay --json`,
  );
  cmd.action(async (flags: ModelsFlags) => {
    process.exitCode = await runModels(flags);
  });
}

async function runModels(flags: ModelsFlags): Promise<ExitCode> {
  const io = processIo();
  // Loaded here, not at the top: registering commands must not load the client (undici).
  const [{ loadContext }, { RelayClient }] = await Promise.all([import('../run/context.js'), import('../client/index.js')]);
  const ctx = await loadContext(flags);
  const target = ctx.targets[0];
  if (!target) throw new UsageError('no target: pass --base-url, set OPENAI_BASE_URL, or add targets to a config file');
  const client = new RelayClient(ctx.prices);
  try {
    const ids = await client.listModels(target);
    if (flags.json) io.out(JSON.stringify(ids) + '\n');
    else io.out(ids.map((id) => `${id}${ctx.prices.lookup(id) ? '' : '  (unpriced)'}\n`).join(''));
    return EXIT.ok;
  } finally {
    await client.close();
  }
}
