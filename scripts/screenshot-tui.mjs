#!/usr/bin/env node
// The README's picture of the dashboard, made from the real thing: runs
// `relaymon watch --demo` (from dist/: `npm run build` first) in a private
// tmux server at 120×36, waits until the chart shows the demo's incident (an
// alert's ▲ on the time axis, or gives up waiting for it after 90 s), and
// saves the frame as plain text (docs/watch-chart.txt) and as an SVG with the
// terminal's colours (docs/watch-chart.svg). No network: tmux and Node only.
//
//   node scripts/screenshot-tui.mjs [--cols 120] [--rows 36] [--out docs/watch-chart]
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const COLS = Number(arg('--cols', '120'));
const ROWS = Number(arg('--rows', '36'));
const OUT = arg('--out', join(ROOT, 'docs', 'watch-chart'));
const FIRE_WAIT_MS = 90_000;

const dir = mkdtempSync(join(tmpdir(), 'relaymon-shot-'));
const socket = join(dir, 'tmux.sock');
const tmux = (...args) => execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const quote = (v) => `'${v.replaceAll("'", `'\\''`)}'`;
const script = join(dir, 'run.sh');
// Ink draws nothing until it unmounts when it believes it runs in CI.
writeFileSync(script, ['#!/bin/sh', 'unset TMUX TMUX_PANE CI CONTINUOUS_INTEGRATION NO_COLOR', 'export TERM=xterm-256color FORCE_COLOR=1', `cd ${quote(ROOT)}`, `${quote(process.execPath)} bin/relaymon.js watch --demo`, 'exec sleep 600'].join('\n') + '\n');
chmodSync(script, 0o755);

try {
  tmux('new-session', '-d', '-s', 'shot', '-x', String(COLS), '-y', String(ROWS), script);
  const deadline = Date.now() + FIRE_WAIT_MS;
  let plain = '';
  for (;;) {
    plain = tmux('capture-pane', '-p', '-t', 'shot');
    const axis = plain.split('\n').find((l) => /^ {7}└/.test(l)) ?? '';
    if (axis.includes('▲') || Date.now() > deadline) break;
    await sleep(500);
  }
  // A moment more so the frame shows some of the incident after the mark.
  await sleep(5000);
  plain = tmux('capture-pane', '-p', '-t', 'shot');
  const coloured = tmux('capture-pane', '-p', '-e', '-t', 'shot');
  writeFileSync(`${OUT}.txt`, plain.replace(/[ \t]+$/gm, ''));
  writeFileSync(`${OUT}.svg`, toSvg(coloured, COLS, ROWS));
  console.log(`wrote ${OUT}.txt and ${OUT}.svg (${COLS}×${ROWS})`);
} finally {
  try {
    tmux('kill-server');
  } catch {
    // Already gone.
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The 16 ANSI colours as a dark terminal shows them. */
function palette(n) {
  return ['#1e1e1e', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#dcdfe4', '#5c6370', '#ff7b86', '#b5e890', '#ffd68a', '#7cc4ff', '#de98f0', '#7fd7e2', '#ffffff'][n] ?? '#dcdfe4';
}

/** Text with SGR colour codes (what capture-pane -e gives) as an SVG: one <text> per row, a <tspan> per styled run. */
function toSvg(text, cols, rows) {
  const cw = 8.4;
  const lh = 17;
  const esc = (s) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  const out = [];
  text.split('\n').slice(0, rows).forEach((line, r) => {
    let fg = null;
    let bold = false;
    let dim = false;
    let col = 0;
    const spans = [];
    for (const part of line.split(/(\u001b\[[\d;]*m)/)) {
      const m = /^\u001b\[([\d;]*)m$/.exec(part);
      if (m) {
        const codes = (m[1] || '0').split(';').map(Number);
        for (let i = 0; i < codes.length; i++) {
          const c = codes[i];
          if (c === 0) [fg, bold, dim] = [null, false, false];
          else if (c === 1) bold = true;
          else if (c === 2) dim = true;
          else if (c === 22) [bold, dim] = [false, false];
          else if (c === 39) fg = null;
          else if (c >= 30 && c <= 37) fg = palette(c - 30);
          else if (c >= 90 && c <= 97) fg = palette(c - 90 + 8);
          else if (c === 38 && codes[i + 1] === 5) {
            const n = codes[i + 2];
            fg = n < 16 ? palette(n) : null;
            i += 2;
          }
        }
        continue;
      }
      if (part === '') continue;
      const len = [...part].length;
      if (part.trim() !== '') {
        const style = [`fill="${fg ?? '#dcdfe4'}"`, bold ? 'font-weight="bold"' : '', dim ? 'opacity="0.6"' : ''].filter(Boolean).join(' ');
        spans.push(`<tspan x="${(col * cw).toFixed(1)}" ${style}>${esc(part)}</tspan>`);
      }
      col += len;
    }
    if (spans.length > 0) out.push(`<text y="${(r + 1) * lh - 4}" xml:space="preserve">${spans.join('')}</text>`);
  });
  const w = Math.ceil(cols * cw) + 16;
  const h = rows * lh + 16;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
<rect width="100%" height="100%" fill="#1e1e1e"/>
<g transform="translate(8 8)" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">
${out.join('\n')}
</g>
</svg>
`;
}
