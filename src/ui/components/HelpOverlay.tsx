/** The keys, shown over the panels on `?`. */
import { Box } from 'ink';
import { Line } from './Line.js';

export const HELP_KEYS: readonly [string, string][] = [
  ['q, Ctrl-C', 'quit (prints the summary)'],
  ['p', 'pause / resume traffic'],
  ['r', 'reset windows (the summary then starts here too)'],
  ['w', 'cycle window 1m / 5m / 15m / all'],
  ['m', 'chart metric: latency, TTFT, ITL p95, error rate, rps, $/hour'],
  ['←→↑↓, Tab', 'focus a target'],
  ['Enter', 'detail view of the focused target'],
  ['Esc', 'back'],
  ['?', 'toggle this help'],
];

export interface HelpOverlayProps {
  width: number;
  /** Rows it may take; below the boxed list's height the keys are packed onto fewer lines. */
  maxHeight?: number;
}

/** Rows the boxed help takes: title, one row per key, two border rows. */
export const HELP_HEIGHT = HELP_KEYS.length + 3;

export function HelpOverlay({ width, maxHeight = HELP_HEIGHT }: HelpOverlayProps) {
  if (maxHeight < HELP_HEIGHT) {
    const rows = Math.max(1, Math.floor(maxHeight));
    const perRow = Math.ceil(HELP_KEYS.length / rows);
    const lines: [string, string][][] = [];
    for (let i = 0; i < HELP_KEYS.length; i += perRow) lines.push(HELP_KEYS.slice(i, i + perRow));
    return (
      <Box flexDirection="column" width={width}>
        {lines.map((keys, i) => (
          <Line
            key={i}
            segments={keys.flatMap(([k, what], j) => [
              { text: `${j > 0 ? ' · ' : ''}${k} `, tone: 'accent' as const },
              { text: what.replace(/ \(.*\)$/, '') },
            ])}
            width={width}
          />
        ))}
      </Box>
    );
  }
  // Border and padding take four columns.
  const inner = Math.max(1, width - 4);
  const keyWidth = Math.max(...HELP_KEYS.map(([k]) => k.length)) + 2;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width}>
      <Line segments={[{ text: 'Keys', tone: 'title' }]} width={inner} />
      {HELP_KEYS.map(([key, what]) => (
        <Line key={key} segments={[{ text: key.padEnd(keyWidth), tone: 'accent' }, { text: what }]} width={inner} />
      ))}
    </Box>
  );
}
