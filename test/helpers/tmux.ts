import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A private tmux server for a terminal test: its own socket and no user
 * config, so a user's own tmux is never touched. The pane runs one command
 * with the given environment, writes its exit code to a file and stays open
 * so the last screen can still be read.
 */
export interface Tmux {
  screen(): string[];
  keys(...k: string[]): void;
  /** Resizes the window; returns the pane's size as tmux then reports it, `COLSxROWS`. */
  resize(cols: number, rows: number): string;
  waitFor(what: string, ok: (lines: string[]) => boolean, ms?: number): Promise<string[]>;
  /** The command's exit code once it has ended. */
  exitCode(ms?: number): Promise<string>;
  kill(): void;
}

const POLL_MS = 100;

export function startTmux(dir: string, command: string[], env: NodeJS.ProcessEnv, size = { x: 120, y: 40 }): Tmux {
  const socket = join(dir, 'tmux.sock');
  const codeFile = join(dir, 'code');
  const session = 'relaymon';
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const quote = (v: string): string => `'${v.replaceAll("'", `'\\''`)}'`;
  const exports = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e[0]))
    .map(([k, v]) => `export ${k}=${quote(v)}`);
  const script = join(dir, 'run.sh');
  writeFileSync(
    script,
    // The trap: a Ctrl-C the terminal turns into SIGINT reaches the whole foreground group, this shell too, and a
    // non-interactive sh would die of it, pane and all; a user's interactive shell lives on. (A caught signal is
    // back to its default in the command it runs.)
    ['#!/bin/sh', "trap ':' INT", 'unset TMUX TMUX_PANE', ...exports, command.map(quote).join(' '), `echo $? > ${quote(codeFile)}`, 'exec sleep 600', ''].join('\n'),
  );
  chmodSync(script, 0o755);
  tmux('new-session', '-d', '-s', session, '-x', String(size.x), '-y', String(size.y), script);

  const screen = (): string[] => tmux('capture-pane', '-p', '-J', '-t', session).replace(/\n$/, '').split('\n');
  const waitFor = async (what: string, ok: (lines: string[]) => boolean, ms = 20_000): Promise<string[]> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const lines = screen();
      if (ok(lines)) return lines;
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; the screen was:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  return {
    screen,
    keys: (...k) => void tmux('send-keys', '-t', session, ...k),
    resize(cols, rows) {
      tmux('resize-window', '-t', session, '-x', String(cols), '-y', String(rows));
      return tmux('display-message', '-p', '-t', session, '#{pane_width}x#{pane_height}').trim();
    },
    waitFor,
    async exitCode(ms = 20_000) {
      const deadline = Date.now() + ms;
      while (!existsSync(codeFile) || readFileSync(codeFile, 'utf8').trim() === '') {
        if (Date.now() > deadline) throw new Error(`no exit code after ${ms} ms; the screen was:\n${screen().join('\n')}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      return readFileSync(codeFile, 'utf8').trim();
    },
    kill() {
      try {
        tmux('kill-server');
      } catch {
        // Already gone (or never started): nothing to clean.
      }
    },
  };
}
