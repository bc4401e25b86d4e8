import { describe, expect, it } from 'vitest';
import { honestySegments, TargetPanel } from '../../../src/ui/components/TargetPanel.js';
import { DetailView, honestyRows } from '../../../src/ui/components/DetailView.js';
import { targetStats, windowStats } from './fixtures.js';
import { frameText, utcTime } from './render-helpers.js';

const dishonest = windowStats({
  requests: 40,
  usageCompared: 40,
  usageMismatches: 12,
  usageGap: { billedInputTokens: 1380, countedInputTokens: 1000, billedOutputTokens: 1380, countedOutputTokens: 1000, ratio: 0.38 },
  reportedCost: { requests: 40, reportedUsd: 0.05, computedUsd: 0.04, gapUsd: 0.01 },
  modelMismatches: 3,
  namedModels: 40,
  fingerprinted: 40,
  fingerprintChanges: 2,
  streams: 40,
  streamsWithoutUsage: 4,
  streamsUnterminated: 1,
});

const text = (segs: { text: string }[]): string => segs.map((s) => s.text).join('');

describe('honesty on the dashboard', () => {
  it('a panel is quiet when every check holds', () => {
    expect(honestySegments(windowStats())).toEqual([]);
  });

  it('a panel names each broken check with its size', () => {
    const t = text(honestySegments(dishonest));
    expect(t).toContain('usage≠ 12/40 +38% billed');
    expect(t).toContain('model≠ 3');
    expect(t).toContain('fp changed 2');
    expect(t).toContain('stream≠ 5');
    const frame = frameText(<TargetPanel name="relay" stats={targetStats('relay', dishonest)} window="1m" detail="full" width={100} />);
    expect(frame).toContain('usage≠ 12/40 +38% billed');
  });

  it('the detail view explains each check with what it is based on', () => {
    const rows = honestyRows(dishonest).map(text);
    expect(rows[0]).toBe('honesty');
    expect(rows.find((r) => r.startsWith('billing'))).toMatch(/12\/40 beyond tolerance {2}\+38% billed {2}in billed 1380 \/ counted 1000 {2}out billed 1380 \/ counted 1000/);
    expect(rows.find((r) => r.startsWith('cost'))).toMatch(/relay says \$0\.050, list × multiplier \$0\.040 {2}gap \+\$0\.010 {2}over 40 answers/);
    expect(rows.find((r) => r.startsWith('model'))).toMatch(/3\/40 answered as another model {2}fingerprint changes 2\/40/);
    expect(rows.find((r) => r.startsWith('streams'))).toMatch(/40 streamed {2}no usage 4 · out of order 0 · unterminated 1 · usage went down 0/);
    const frame = frameText(
      <DetailView name="relay" stats={targetStats('relay', dishonest)} window="1m" samples={[]} errors={[]} width={160} height={80} formatTime={utcTime} />,
      160,
    );
    expect(frame).toContain('usage≠ 12/40 +38% billed'); // the per-model row
    expect(frame).toContain('beyond tolerance');
  });

  it('says when there is nothing to reconcile rather than showing a clean bill', () => {
    const rows = honestyRows(windowStats({ usageCompared: 0 })).map(text);
    expect(rows.find((r) => r.startsWith('billing'))).toContain('nothing to reconcile yet');
    expect(rows.some((r) => r.startsWith('cost'))).toBe(false);
  });
});
