/** Rendering helpers for component tests: unstyled lines of the last frame. */
import { stripVTControlCharacters } from 'node:util';
import type { ReactElement } from 'react';
import { renderToString } from 'ink';
import { render } from 'ink-testing-library';

/** ink-testing-library's fake terminal is fixed at 100 columns, and Ink clips every frame to that. */
const TESTING_LIBRARY_COLUMNS = 100;

/**
 * The last frame, unstyled, as lines. Up to 100 columns through
 * ink-testing-library; a wider terminal through Ink's own renderToString,
 * which takes the column count.
 */
export function frameLines(el: ReactElement, columns = TESTING_LIBRARY_COLUMNS): string[] {
  let frame: string;
  if (columns <= TESTING_LIBRARY_COLUMNS) {
    const r = render(el);
    frame = r.lastFrame() ?? '';
    r.unmount();
  } else {
    frame = renderToString(el, { columns });
  }
  return stripVTControlCharacters(frame).split('\n');
}

export function frameText(el: ReactElement, columns?: number): string {
  return frameLines(el, columns).join('\n');
}

export function widest(lines: string[]): number {
  return Math.max(0, ...lines.map((l) => [...l].length));
}

export const WIDTHS = [60, 100, 160] as const;

/** Formats epoch ms as UTC HH:MM:SS, so tests do not depend on the machine's time zone. */
export function utcTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
