/**
 * One line of styled segments, cut to the width by us rather than wrapped by
 * Ink, so a line never grows the frame by a row.
 */
import { createContext, useContext } from 'react';
import { Text } from 'ink';
import { fitSegments, type Segment, type Tone } from '../core/text.js';

interface ToneStyle {
  color?: string;
  dimColor?: boolean;
  bold?: boolean;
}

export const TONE_STYLE: Record<Tone, ToneStyle> = {
  ok: { color: 'green' },
  warn: { color: 'yellow' },
  bad: { color: 'red' },
  none: {},
  dim: { dimColor: true },
  accent: { color: 'cyan' },
  title: { bold: true },
  series0: { color: 'cyan' },
  series1: { color: 'magenta' },
  series2: { color: 'yellow' },
  series3: { color: 'blue' },
  series4: { color: 'greenBright' },
  series5: { color: 'white' },
};

/**
 * False under NO_COLOR or --no-color: tones keep their weight (bold, dim) but
 * lose their colour. The app provides it once; components never read the
 * environment themselves.
 */
export const ColorContext = createContext(true);

export function styleFor(tone: Tone, color: boolean): ToneStyle {
  const style = TONE_STYLE[tone];
  if (color) return style;
  const { color: _dropped, ...rest } = style;
  return rest;
}

export interface LineProps {
  segments: Segment[];
  width: number;
}

export function Line({ segments, width }: LineProps) {
  const color = useContext(ColorContext);
  const fitted = fitSegments(segments, width);
  return (
    <Text wrap="truncate-end">
      {fitted.length === 0 ? ' ' : null}
      {fitted.map((s, i) => (
        <Text key={i} {...styleFor(s.tone ?? 'none', color)}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}
