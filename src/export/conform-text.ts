/**
 * `relaymon conform` as text (one row per check × protocol, a summary line)
 * and as JUnit XML (one testsuite per target, one testcase per row). Pure
 * string building over the conform report (src/export/contracts/conform.ts).
 */
import { redact } from '../core/redact.js';
import type { ConformCheckOutput, ConformOutput, ConformTargetOutput } from './contracts/conform.js';
import { paint } from './format.js';
import { attr, xmlEscape } from './junit.js';

const MARK = { pass: '✓', fail: '✗', 'n/a': '–' } as const;
const STYLE = { pass: 'green', fail: 'red', 'n/a': 'dim' } as const;

const NAME_WIDTH = 22;
const PROTOCOL_WIDTH = 17;

/** "expected …; got … (request id)" for a failure, the reason alone for an n/a, nothing for a pass. */
export function evidenceText(row: ConformCheckOutput): string {
  const id = row.evidence.requestId === null ? '' : ` (request ${row.evidence.requestId})`;
  if (row.status === 'fail') return `expected ${row.evidence.expected}; got ${row.evidence.got}${id}`;
  if (row.status === 'n/a') return row.evidence.got;
  return '';
}

export function conformRow(row: ConformCheckOutput, color: boolean): string {
  const mark = paint(color, STYLE[row.status], MARK[row.status]);
  const evidence = evidenceText(row);
  const text = `  ${mark} ${row.protocol.padEnd(PROTOCOL_WIDTH)} ${row.name.padEnd(NAME_WIDTH)} ${row.status === 'fail' ? paint(color, 'red', evidence) : paint(color, 'dim', evidence)}`;
  return `${text.trimEnd()}\n`;
}

export function conformTargetHead(t: Pick<ConformTargetOutput, 'name' | 'baseUrl' | 'protocols'>): string {
  return `relaymon conform → ${t.name} ${t.baseUrl} (${t.protocols.join(', ')})\n`;
}

export function conformSummaryLine(report: Pick<ConformOutput, 'summary'>, color: boolean): string {
  const s = report.summary;
  const fail = s.fail > 0 ? paint(color, 'red', `${s.fail} fail`) : `${s.fail} fail`;
  return `summary: ${s.pass} pass, ${fail}, ${s.notApplicable} n/a\n`;
}

/** The whole text: per target its head and rows, then the summary line. */
export function conformText(report: ConformOutput, color: boolean): string {
  const parts = report.targets.map((t) => conformTargetHead(t) + t.checks.map((r) => conformRow(r, color)).join(''));
  return `${parts.join('\n')}\n${conformSummaryLine(report, color)}`;
}

function testcase(t: ConformTargetOutput, row: ConformCheckOutput): string {
  const head = `    <testcase classname="${attr(`relaymon.conform.${t.name}.${row.protocol}`)}" name="${attr(row.name)}" time="0"`;
  if (row.status === 'pass') return `${head}/>\n`;
  const id = row.evidence.requestId === null ? '' : ` (request ${row.evidence.requestId})`;
  const body =
    row.status === 'fail'
      ? `      <failure message="${attr(`expected ${row.evidence.expected}; got ${row.evidence.got}`)}" type="conform">${xmlEscape(`${row.name} (${row.protocol}): expected ${row.evidence.expected}; got ${row.evidence.got}${id}`)}</failure>\n`
      : `      <skipped message="${attr(row.evidence.got)}"/>\n`;
  return `${head}>\n${body}    </testcase>\n`;
}

export function conformJunit(report: ConformOutput): string {
  const time = (Math.max(0, report.durationMs) / 1000).toFixed(3);
  const suites = report.targets.map((t) => {
    const fails = t.checks.filter((r) => r.status === 'fail').length;
    const skipped = t.checks.filter((r) => r.status === 'n/a').length;
    return (
      `  <testsuite name="${attr(t.name)}" tests="${t.checks.length}" failures="${fails}" errors="0" skipped="${skipped}" time="${time}" timestamp="${attr(report.startedAt)}">\n` +
      `    <properties>\n      <property name="baseUrl" value="${attr(t.baseUrl)}"/>\n      <property name="protocols" value="${attr(t.protocols.join(','))}"/>\n    </properties>\n` +
      t.checks.map((r) => testcase(t, r)).join('') +
      '  </testsuite>\n'
    );
  });
  const total = report.targets.reduce((n, t) => n + t.checks.length, 0);
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="relaymon conform" tests="${total}" failures="${report.summary.fail}" errors="0" skipped="${report.summary.notApplicable}" time="${time}">\n` +
    suites.join('') +
    '</testsuites>\n';
  return redact(xml);
}
