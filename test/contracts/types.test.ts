/**
 * The contract types (z.infer of src/export/contracts) and the types the
 * builders work with (RequestResult, Summary, the compare report …) must stay
 * the same: these assertions fail `tsc --noEmit` (npm run typecheck) when one
 * gains, loses or retypes a field the other does not.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { RequestResult } from '../../src/core/result.js';
import { PROBE_JSON_FIELDS } from '../../src/core/result.js';
import type { Summary, TimeStats } from '../../src/stats/summary.js';
import type { ThresholdResult } from '../../src/stats/thresholds.js';
import type { RunSaturation, StoppedBy, TargetSchedule } from '../../src/engine/messages.js';
import type { CompareTarget, ErrorComparison, MetricComparison } from '../../src/compare/compare.js';
import { COMPARE_METRICS } from '../../src/compare/compare.js';
import { COMPARED_METRICS } from '../../src/export/contracts/index.js';
import type {
  CompareOutput,
  ProbeRequestOutput,
  RequestLogLine,
  RequestResultOutput,
  RunSummaryOutput,
  RunTargetOutput,
  SaturationOutput,
  SummaryOutput,
  TargetScheduleOutput,
  ThresholdResultOutput,
  TimeStatsOutput,
} from '../../src/export/contracts/index.js';
import type { RequestLogEntry } from '../../src/export/request-log.js';
import type { ConformOutput } from '../../src/export/contracts/index.js';
import { CONFORM_CHECK_NAMES } from '../../src/export/contracts/index.js';
import type { ConformReport } from '../../src/conform/report.js';
import type { ConformCheckName } from '../../src/conform/checks.js';

describe('contract types equal the builders\' types', () => {
  it('summary, time stats, thresholds, saturation, schedule', () => {
    expectTypeOf<SummaryOutput>().toEqualTypeOf<Summary>();
    expectTypeOf<TimeStatsOutput>().toEqualTypeOf<TimeStats>();
    expectTypeOf<ThresholdResultOutput>().toEqualTypeOf<ThresholdResult>();
    expectTypeOf<SaturationOutput>().toEqualTypeOf<RunSaturation>();
    expectTypeOf<TargetScheduleOutput>().toEqualTypeOf<TargetSchedule>();
    expectTypeOf<RunSummaryOutput['stoppedBy']>().toEqualTypeOf<StoppedBy>();
    expectTypeOf<RunTargetOutput['summary']>().toEqualTypeOf<Summary | null>();
  });

  it('the request record, whole (request log) and picked (probe --json)', () => {
    expectTypeOf<RequestResultOutput>().toEqualTypeOf<RequestResult>();
    expectTypeOf<ProbeRequestOutput>().toEqualTypeOf<Pick<RequestResult, (typeof PROBE_JSON_FIELDS)[number]>>();
    expectTypeOf<RequestLogLine['result']>().toEqualTypeOf<RequestLogEntry['result']>();
  });

  it('the compare report', () => {
    expectTypeOf<CompareOutput['targets'][number]>().toEqualTypeOf<CompareTarget>();
    expectTypeOf<CompareOutput['metrics'][number]>().toEqualTypeOf<MetricComparison>();
    expectTypeOf<CompareOutput['errors']>().toEqualTypeOf<ErrorComparison>();
    expectTypeOf<(typeof COMPARED_METRICS)[number]>().toEqualTypeOf<(typeof COMPARE_METRICS)[number]['metric']>();
  });

  it('the conform report', () => {
    expectTypeOf<ConformOutput>().toEqualTypeOf<ConformReport>();
    expectTypeOf<(typeof CONFORM_CHECK_NAMES)[number]>().toEqualTypeOf<ConformCheckName>();
  });
});
