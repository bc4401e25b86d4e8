import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { PREFERENCE_DESCRIPTIONS, PREFERENCE_KEYS } from '../config/preference-keys.js';
import { processIo, type Io } from '../run/terminal.js';

export interface ConfigCommandDeps {
  io?: Io;
  env?: NodeJS.ProcessEnv;
}

const KEY_HELP = PREFERENCE_KEYS.map((k) => `  ${k.padEnd(13)} ${PREFERENCE_DESCRIPTIONS[k]}`).join('\n');

/**
 * `relaymon config …`: the user's own preferences (colour, frame rate, …), not
 * the project's relaymon.config.yaml (see `relaymon init`).
 */
export function registerConfigCommands(program: Command, deps: ConfigCommandDeps = {}): Command {
  const io = () => deps.io ?? processIo();
  const opts = () => ({ env: deps.env ?? process.env });
  // Loaded by the action that runs, not here: registering commands must not load zod or env-paths (relaymon --help).
  const preferences = () => import('../config/preferences.js');

  const config = program
    .command('config')
    .description('show or change your preferences (stored per user; not the project config file)')
    .addHelpText('after', `\nKeys:\n${KEY_HELP}\n\nExample:\n  $ relaymon config set fps 30\n`);

  config
    .command('get')
    .description('print one preference (nothing when it is not set)')
    .argument('<key>', `one of ${PREFERENCE_KEYS.join(', ')}`)
    .addHelpText('after', '\nExample:\n  $ relaymon config get window\n')
    .action(async (key: string) => {
      const { getPreference } = await preferences();
      const value = getPreference(key, opts());
      if (value !== undefined) io().out(`${String(value)}\n`);
    });

  config
    .command('set')
    .description('change one preference')
    .argument('<key>', `one of ${PREFERENCE_KEYS.join(', ')}`)
    .argument('<value>', 'the new value')
    .addHelpText('after', '\nExamples:\n  $ relaymon config set color false\n  $ relaymon config set interval 10s\n')
    .action(async (key: string, value: string) => {
      const { setPreference } = await preferences();
      const stored = await setPreference(key, value, opts());
      io().out(`${key} = ${String(stored)}\n`);
    });

  config
    .command('unset')
    .description('remove one preference, back to the default')
    .argument('<key>', `one of ${PREFERENCE_KEYS.join(', ')}`)
    .addHelpText('after', '\nExample:\n  $ relaymon config unset fps\n')
    .action(async (key: string) => {
      const { deletePreference } = await preferences();
      await deletePreference(key, opts());
    });

  config
    .command('list')
    .description('print every preference')
    .option('--json', 'print the preferences that are set as a JSON object')
    .addHelpText('after', '\nExample:\n  $ relaymon config list --json\n')
    .action(async (flags: { json?: boolean }) => {
      const { listPreferences } = await preferences();
      const prefs = listPreferences(opts());
      if (flags.json) {
        io().out(`${JSON.stringify(prefs, null, 2)}\n`);
        return;
      }
      const values: Record<string, unknown> = prefs;
      const lines = PREFERENCE_KEYS.map((k) => `${k.padEnd(13)} ${values[k] === undefined ? '(not set)' : String(values[k])}`);
      io().out(`${lines.join('\n')}\n`);
    });

  config
    .command('path')
    .description('print where the preferences are stored ($RELAYMON_CONFIG_DIR moves them)')
    .addHelpText('after', '\nExample:\n  $ relaymon config path\n')
    .action(async () => {
      const { preferencesPath } = await preferences();
      io().out(`${preferencesPath(opts())}\n`);
    });

  // `relaymon config` alone or with a typo: commander would print help and exit 1; bad usage is exit 2 here.
  config.allowExcessArguments(true).action((_flags: unknown, cmd: Command) => {
    const given = cmd.args[0];
    const known = 'get, set, unset, list or path';
    throw new UsageError(
      given === undefined
        ? `relaymon config needs a subcommand: ${known} (see relaymon config --help)`
        : `unknown subcommand "config ${given}"; expected ${known}`,
    );
  });
  return config;
}
