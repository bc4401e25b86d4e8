import { extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { processIo, type Io } from '../run/terminal.js';

export interface InitCommandDeps {
  io?: Io;
  cwd?: () => string;
}

export const DEFAULT_INIT_PATH = 'relaymon.config.yaml';

export function registerInitCommand(program: Command, deps: InitCommandDeps = {}): Command {
  return program
    .command('init')
    .description('write a commented starter relaymon.config.yaml')
    .option('--path <file>', 'where to write it', DEFAULT_INIT_PATH)
    .option('--force', 'overwrite the file if it exists')
    .addHelpText('after', '\nExample:\n  $ relaymon init && $EDITOR relaymon.config.yaml\n')
    .action(async (flags: { path: string; force?: boolean }) => {
      const cwd = deps.cwd ? deps.cwd() : process.cwd();
      const written = await writeStarter(resolve(cwd, flags.path), flags.force === true, cwd);
      const io = deps.io ?? processIo();
      io.out(
        `wrote ${written}\n` +
          'next: set baseUrl, export RELAY_API_KEY=..., then run: relaymon probe --target relay\n',
      );
    });
}

/** Writes the starter; refuses to replace an existing file unless `force`. Returns the path as shown to the user. */
export async function writeStarter(path: string, force: boolean, cwd: string = process.cwd()): Promise<string> {
  // Loaded here, not at the top: registering commands must not load node:os or node:fs (relaymon --help).
  const [{ writeFileSync }, { displayPath }, { starterConfig }] = await Promise.all([import('node:fs'), import('../config/paths.js'), import('../config/starter.js')]);
  const shown = displayPath(path, cwd);
  const ext = extname(path).toLowerCase();
  if (ext !== '.yaml' && ext !== '.yml') {
    throw new UsageError(`--path ${shown}: the starter is YAML; use a name ending in .yaml or .yml`);
  }
  try {
    // One synchronous call from the open (which truncates, with --force) to the last byte: a signal's handler
    // (exit 130, cli/main.ts) cannot run in between and leave the file empty, as it could between the steps of
    // an asynchronous writeFile.
    writeFileSync(path, starterConfig(), { flag: force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${shown} already exists; use --force to overwrite it`);
    if (code === 'ENOENT') throw new UsageError(`cannot write ${shown}: its folder does not exist`);
    throw new UsageError(`cannot write ${shown}: ${code ?? String(err)}`, { cause: err });
  }
  return shown;
}
