/** The time chart as a block of exactly `height` lines (chartRows draws it; this only puts it on screen). */
import { Box } from 'ink';
import { chartRows, type ChartInput } from '../core/chart-frame.js';
import { Line } from './Line.js';

export function Chart(props: ChartInput) {
  const rows = chartRows(props);
  return (
    <Box flexDirection="column" width={props.width}>
      {rows.map((segs, i) => (
        <Line key={i} segments={segs} width={props.width} />
      ))}
    </Box>
  );
}
