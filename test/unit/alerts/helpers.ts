import type { AlertRule, AlertWindow } from '../../../src/alerts/rules.js';
import { parseThreshold, type Aggregation, type MetricName, type MetricQuery, type TagFilter } from '../../../src/stats/thresholds.js';

export function makeRule(overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    name: 'SlowFirstToken',
    threshold: parseThreshold('ttft{target:relay}:p(95)<800'),
    window: '1m',
    forMs: 30_000,
    notify: [],
    minRequests: 5,
    labels: {},
    fireAfter: 2,
    resolveAfter: 3,
    ...overrides,
  };
}

export interface QueryCall {
  window: AlertWindow;
  metric: MetricName;
  aggregation: Aggregation;
  tags: TagFilter;
}

/** A window whose answer the test sets before each evaluation: one metric value and a request count. */
export class FakeWindow {
  value: number | null = null;
  requests: number | null = 20;
  readonly calls: QueryCall[] = [];

  readonly query = (window: AlertWindow): MetricQuery => {
    return (metric, aggregation, tags) => {
      this.calls.push({ window, metric, aggregation, tags });
      return metric === 'requests' ? this.requests : this.value;
    };
  };
}
