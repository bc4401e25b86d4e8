/** One line of the latest errors, newest first: time, target, type, status, request id. */
import type { RecentError } from '../../engine/messages.js';
import type { Segment } from '../core/text.js';
import { Line } from './Line.js';

export interface EventsLineProps {
  errors: RecentError[];
  width: number;
  /** Formats an epoch-ms instant; default local HH:MM:SS. */
  formatTime?: (epochMs: number) => string;
}

export function localTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function EventsLine({ errors, width, formatTime = localTime }: EventsLineProps) {
  if (errors.length === 0) {
    return <Line segments={[{ text: 'events: no errors yet', tone: 'dim' }]} width={width} />;
  }
  const newestFirst = [...errors].sort((a, b) => b.time - a.time);
  const segments: Segment[] = [{ text: 'errors: ', tone: 'dim' }];
  newestFirst.forEach((e, i) => {
    if (i > 0) segments.push({ text: ' · ', tone: 'dim' });
    segments.push({ text: `${formatTime(e.time)} `, tone: 'dim' });
    segments.push({ text: `${e.target} ` });
    segments.push({ text: e.errorType, tone: 'bad' });
    if (e.httpStatus !== null) segments.push({ text: ` ${e.httpStatus}` });
    if (e.requestId !== null) segments.push({ text: ` ${e.requestId}`, tone: 'dim' });
  });
  return <Line segments={segments} width={width} />;
}
