/** Dashboard defaults that the CLI needs without loading Ink and React. */
export const DEFAULT_FPS = 10;
