/**
 * One line of styled segments, cut to the width by us rather than wrapped by
 * Ink, so a line never grows the frame by a row.
 */
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
};

export interface LineProps {
  segments: Segment[];
  width: number;
}

export function Line({ segments, width }: LineProps) {
  const fitted = fitSegments(segments, width);
  return (
    <Text wrap="truncate-end">
      {fitted.length === 0 ? ' ' : null}
      {fitted.map((s, i) => (
        <Text key={i} {...TONE_STYLE[s.tone ?? 'none']}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}
