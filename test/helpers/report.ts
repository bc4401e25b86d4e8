/**
 * What the report tests check in an HTML report: that nothing in it would
 * fetch a resource over http(s) (an address in the text, e.g. a target's
 * base URL, is fine: it is shown, never loaded), and the embedded data.
 */

/** Every construct of HTML, CSS or JS that loads a URL, when the URL is http(s) or protocol-relative. */
const FETCHING = [
  /\b(?:src|href|srcset|action|formaction|poster|data|background|manifest|ping|xlink:href)\s*=\s*["']?\s*(?:https?:)?\/\//gi,
  /url\(\s*["']?\s*(?:https?:)?\/\//gi,
  /@import\s+(?:url\()?\s*["']?\s*(?:https?:)?\/\//gi,
  /\b(?:fetch|importScripts|sendBeacon|open)\s*\(\s*["'`]\s*(?:https?:)?\/\//gi,
  /\bnew\s+(?:WebSocket|EventSource|Worker)\s*\(\s*["'`]/gi,
  /\bimport\s*\(\s*["'`]\s*(?:https?:)?\/\//gi,
  /<meta[^>]+http-equiv\s*=\s*["']?refresh/gi,
];

export function resourceFetches(html: string): string[] {
  return FETCHING.flatMap((re) => [...html.matchAll(re)].map((m) => m[0]));
}

/** The charts' data embedded in the report. */
export function embeddedData(html: string): { v: number; charts: { id: string; x: { values: number[] }; series: { label: string; values: (number | null)[] }[] }[] } {
  const m = /<script type="application\/json" id="relaymon-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no embedded data in the report');
  return JSON.parse(m[1]!) as ReturnType<typeof embeddedData>;
}
