/**
 * The one place the dashboard learns the terminal's size. Components take the
 * size as props; only the app calls this hook, so every component renders the
 * same at a given size in tests and in a terminal.
 */
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** What a stream that is not a terminal (or reports 0) is taken to be. */
export const FALLBACK_SIZE: TerminalSize = { cols: 80, rows: 24 };

export function readSize(stream: { columns?: number; rows?: number }): TerminalSize {
  return {
    cols: stream.columns && stream.columns > 0 ? stream.columns : FALLBACK_SIZE.cols,
    rows: stream.rows && stream.rows > 0 ? stream.rows : FALLBACK_SIZE.rows,
  };
}

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => readSize(stdout));
  useEffect(() => {
    const onResize = (): void => setSize(readSize(stdout));
    // Ink redraws on resize too, with the tree as it is; ahead of it, the tree
    // already has the new size, so a shrink never draws one frame at the old width.
    stdout.prependListener('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
