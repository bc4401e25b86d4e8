/**
 * The time chart as a block of exactly `height` lines (chartRows draws it;
 * this only puts it on screen). The plot rows change colour from cell to
 * cell, hundreds of runs for eight targets; one Ink <Text> per run cost
 * about 200 ms a frame at 160 columns (Ink lays out and measures every
 * node), so each plot row is one string with its colours already in it
 * (node:util styleText, the tones of Line.tsx), one <Text> per row. Rows
 * are exactly `width` columns (chart-frame.ts sizes them), so nothing is cut.
 */
import { useContext } from 'react';
import { styleText } from 'node:util';
import { Box, Text } from 'ink';
import { chartRows, type ChartInput } from '../core/chart-frame.js';
import type { Segment } from '../core/text.js';
import { ColorContext, Line, styleFor } from './Line.js';

type StyleFormat = Parameters<typeof styleText>[0];

function styled(seg: Segment, color: boolean): string {
  const s = styleFor(seg.tone ?? 'none', color);
  const formats: string[] = [];
  if (s.color) formats.push(s.color);
  if (s.bold) formats.push('bold');
  if (s.dimColor) formats.push('dim');
  return formats.length === 0 ? seg.text : styleText(formats as StyleFormat, seg.text);
}

export function Chart(props: ChartInput) {
  const color = useContext(ColorContext);
  const rows = chartRows(props);
  return (
    <Box flexDirection="column" width={props.width}>
      {rows.map((segs, i) =>
        // The title row (legend) may be longer than the width: Line cuts it.
        i === 0 ? <Line key={i} segments={segs} width={props.width} /> : <Text key={i} wrap="truncate-end">{segs.map((s) => styled(s, color)).join('') || ' '}</Text>,
      )}
    </Box>
  );
}
