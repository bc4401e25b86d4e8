/**
 * The chart library, inlined into every report: uPlot's minified IIFE build
 * and its stylesheet, read from node_modules at run time (a dependency of the
 * package, pinned exactly in package.json). Its one URL, the project link in
 * the leading licence comment, is rewritten so that the report holds no
 * http(s) address of its own at all.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ChartLibrary {
  js: string;
  css: string;
}

let cached: ChartLibrary | null = null;

export function chartLibrary(): ChartLibrary {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8').replace(/^\/\*![^*]*?\(v([\d.]+)\)[^*]*\*\//, (_m, v: string) => `/*! uPlot v${v} (MIT licence, Leon Sorokin) */`);
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  cached = { js, css };
  return cached;
}
