/**
 * The script the report runs in the browser: it reads the embedded JSON
 * (html.ts) and draws each chart with uPlot, inlined before it. Every number
 * was computed by relaymon; this only draws. Kept as plain ES2017 in a string,
 * since it runs in the reader's browser, not in Node; the browser test
 * (test/e2e/report-browser.test.ts) runs it in chromium.
 *
 * Each chart's element gets data-drawn-points (the x values uPlot drew), and
 * the body data-charts-drawn (how many charts), which the browser test reads.
 */
export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('relaymon-data').textContent);
  var root = getComputedStyle(document.documentElement);
  function v(name) { return root.getPropertyValue(name).trim(); }
  var palette = [v('--c0'), v('--c1'), v('--c2'), v('--c3'), v('--c4'), v('--c5'), v('--c6'), v('--c7')];
  var fg = v('--fg'), grid = v('--grid');
  function fmt(unit, n) {
    if (n == null) return '';
    if (unit === 'ms') return n >= 1000 ? (n / 1000).toFixed(n >= 10000 ? 0 : 1) + ' s' : (n >= 10 ? n.toFixed(0) : n.toPrecision(2)) + ' ms';
    if (unit === 'fraction' || unit === 'share') return (n * 100).toFixed(n < 0.1 && n > 0 ? 1 : 0) + '%';
    return n >= 100 ? n.toFixed(0) : n.toPrecision(3);
  }
  var drawn = 0;
  data.charts.forEach(function (c) {
    var el = document.getElementById('chart-' + c.id);
    if (!el) return;
    var width = Math.max(320, Math.min(el.clientWidth || 900, 1100));
    var log = c.x.kind === 'log';
    var axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    var opts = {
      width: width,
      height: 240,
      scales: { x: log ? { time: false, distr: 3, log: 10 } : { time: true }, y: { auto: true, range: function (u, lo, hi) { return [Math.min(0, lo), hi > 0 ? hi * 1.05 : 1]; } } },
      axes: [
        Object.assign({ label: c.x.label, values: log ? function (u, ts) { return ts.map(function (t) { return fmt('ms', t); }); } : undefined }, axis),
        Object.assign({ label: c.y.label, size: 64, values: function (u, ts) { return ts.map(function (t) { return fmt(c.y.unit, t); }); } }, axis),
      ],
      series: [{ label: log ? 'ms' : 'time', value: log ? function (u, x) { return fmt('ms', x); } : undefined }].concat(
        c.series.map(function (s) {
          return {
            label: s.label,
            stroke: palette[s.group % palette.length],
            width: 1.5,
            dash: s.dash ? [6, 4] : undefined,
            spanGaps: false,
            points: { show: c.x.values.length <= 60 },
            value: function (u, y) { return y == null ? '–' : fmt(c.y.unit, y); },
          };
        }),
      ),
      hooks: { ready: [function (u) { el.setAttribute('data-drawn-points', String(u.data[0].length)); }] },
    };
    if (opts.axes[0].values === undefined) delete opts.axes[0].values;
    if (opts.series[0].value === undefined) delete opts.series[0].value;
    new uPlot(opts, [c.x.values].concat(c.series.map(function (s) { return s.values; })), el);
    drawn++;
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();
`;
