import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/core/errors.js';
import type { RequestResult } from '../../../src/core/result.js';
import { pipelineExitCode, probeExitCode, runExitCode, unfinishedNote, unreachableNote, type FinalFacts } from '../../../src/run/outcome.js';

function final(over: { requests?: number; unfinished?: number; anyHttpAnswer?: boolean; thresholdsOk?: boolean[]; errorTypes?: Record<string, number> } = {}): FinalFacts {
  return {
    thresholds: (over.thresholdsOk ?? []).map((ok) => ({ ok })),
    anyHttpAnswer: over.anyHttpAnswer ?? true,
    snapshot: { stats: { windows: { all: { requests: over.requests ?? 10, unfinished: over.unfinished ?? 0, errorTypes: over.errorTypes ?? {} } } } },
  };
}

describe('the exit code of a pipeline run (README "Exit codes")', () => {
  it('0 when every threshold holds; 1 when one fails', () => {
    expect(runExitCode(final({ thresholdsOk: [true, true] }), false)).toBe(EXIT.ok);
    expect(runExitCode(final({ thresholdsOk: [true, false] }), false)).toBe(EXIT.failed);
  });

  it('3 when requests finished and none got an HTTP answer, over a failed threshold', () => {
    expect(runExitCode(final({ anyHttpAnswer: false, thresholdsOk: [false] }), false)).toBe(EXIT.unreachable);
  });

  it('requests relaymon cut itself say nothing of reachability: a run of only unfinished ones is not unreachable', () => {
    expect(runExitCode(final({ requests: 0, unfinished: 4, anyHttpAnswer: false }), false)).toBe(EXIT.ok);
  });

  it('130 when interrupted, whatever the rest', () => {
    expect(runExitCode(final({ anyHttpAnswer: false, thresholdsOk: [false] }), true)).toBe(EXIT.interrupted);
  });

  it('a quit from the dashboard is 0, even with a failed threshold; SIGTERM there is 130', () => {
    expect(pipelineExitCode({ final: final({ thresholdsOk: [false] }), interrupted: false, quitByUser: true })).toBe(EXIT.ok);
    expect(pipelineExitCode({ final: final({ thresholdsOk: [false] }), interrupted: false, quitByUser: false })).toBe(EXIT.failed);
    expect(pipelineExitCode({ final: final(), interrupted: true, quitByUser: false })).toBe(EXIT.interrupted);
  });
});

describe('the notes that explain it', () => {
  it('unreachable names the error types, most frequent first', () => {
    const note = unreachableNote('check', final({ anyHttpAnswer: false, errorTypes: { timeout: 1, connection: 3 } }));
    expect(note).toBe('check: unreachable: no request got an HTTP answer from any target (connection ×3, timeout ×1); exit 3\n');
    expect(unreachableNote('check', final())).toBeNull();
  });

  it('unfinished requests are counted out of all seen, with the grace period', () => {
    expect(unfinishedNote('replay', final({ requests: 8, unfinished: 2 }), 10_000)).toMatch(/^replay: 2 of 10 requests were still unanswered when the run stopped \(cut after its 10 s grace period\)/);
    // The grace the run was given, not the headless default: the dashboard's q waits 5 s.
    expect(unfinishedNote('watch', final({ requests: 8, unfinished: 2 }), 5000)).toMatch(/\(cut after its 5 s grace period\)/);
    expect(unfinishedNote('replay', final(), 10_000)).toBeNull();
    // The user cut the wait short (watch: Ctrl-C after q): no grace period ran out.
    expect(unfinishedNote('watch', final({ requests: 8, unfinished: 2 }), null)).toMatch(/\(cut when Ctrl-C or SIGTERM ended the wait for them\)/);
  });
});

describe("probe's exit code", () => {
  const r = (ok: boolean, httpStatus: number | null): Pick<RequestResult, 'ok' | 'httpStatus'> => ({ ok, httpStatus });
  it('any failed request is 1, not only a failed threshold', () => {
    expect(probeExitCode([r(true, 200), r(false, 500)], true, false, false)).toBe(EXIT.failed);
    expect(probeExitCode([r(true, 200)], false, false, false)).toBe(EXIT.failed);
    expect(probeExitCode([r(true, 200)], true, false, false)).toBe(EXIT.ok);
  });

  it('a budget that refused every request is a failure, not a vacuous pass', () => {
    expect(probeExitCode([], true, false, true)).toBe(EXIT.failed);
    expect(probeExitCode([], true, false, false)).toBe(EXIT.ok);
  });

  it('3 when no request got an HTTP answer; 130 when interrupted', () => {
    expect(probeExitCode([r(false, null), r(false, null)], true, false, false)).toBe(EXIT.unreachable);
    expect(probeExitCode([r(false, null)], true, true, false)).toBe(EXIT.interrupted);
  });
});
