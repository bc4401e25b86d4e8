/** The report's stylesheet: light and dark (prefers-color-scheme), and a print layout. */
export const REPORT_CSS = `
:root{--bg:#fff;--fg:#1d2330;--muted:#5c6577;--line:#d8dce4;--grid:#e6e9ef;--card:#f6f7f9;--ok:#17803d;--bad:#c0262d;--warn:#9a6700;
--c0:#2f6fdf;--c1:#d9480f;--c2:#2b8a3e;--c3:#ae3ec9;--c4:#e8590c;--c5:#1098ad;--c6:#c2255c;--c7:#5c940d;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#14171c;--fg:#e3e6eb;--muted:#9aa3b2;--line:#343a46;--grid:#2a2f38;--card:#1b1f26;--ok:#4cc774;--bad:#ff6b6b;--warn:#f0b429;
--c0:#6ea8fe;--c1:#ff922b;--c2:#69db7c;--c3:#da77f2;--c4:#ffa94d;--c5:#3bc9db;--c6:#f783ac;--c7:#a9e34b}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:16px 24px 48px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
.meta{color:var(--muted);margin:0}.note{color:var(--muted);font-size:12.5px;margin:6px 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px;margin:4px 0}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
thead th{color:var(--muted);font-weight:600}
table.num td{text-align:right}
table.conform td{white-space:normal;max-width:340px}
tr.bad td{color:var(--bad)}tr.na td{color:var(--muted)}
.badge{display:inline-block;padding:1px 10px;border-radius:10px;font-weight:700;color:#fff}
.badge.ok{background:var(--ok)}.badge.bad{background:var(--bad)}.badge.recomputed{background:var(--warn)}
.verdict{font-size:15px;margin:4px 0}
ul.thresholds{list-style:none;padding:0;margin:6px 0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
ul.thresholds li.ok{color:var(--ok)}ul.thresholds li.bad{color:var(--bad)}
ul.findings li{color:var(--warn)}
ul.evaluate-findings li{margin:4px 0}ul.evaluate-findings li.bad strong{color:var(--bad)}ul.evaluate-findings li.warn strong{color:var(--warn)}
ul.evaluate-overview{list-style:none;padding:0}ul.evaluate-overview li{margin:3px 0}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px;break-inside:avoid;page-break-inside:avoid}
figcaption{font-weight:600;margin:0 0 4px}
.chart{min-height:250px}
.uplot{font-family:inherit}.u-legend{font-size:12px;color:var(--fg)}.u-title{display:none}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--line:#bbb;--card:#fff}body{max-width:none;padding:0;font-size:11px}
.charts{grid-template-columns:1fr 1fr}.chart{min-height:0}.uplot canvas{max-width:100%;height:auto!important}
h2{break-after:avoid}section{break-inside:auto}a{color:inherit;text-decoration:none}}
`;
