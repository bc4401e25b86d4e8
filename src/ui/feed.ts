/** The engine's snapshots as an external store for React (useSyncExternalStore). */
import type { EngineSnapshot } from '../engine/messages.js';
import type { DashboardFeed } from './App.js';
import { RecentResults } from './core/recent.js';
import { ChartStore } from './core/chart-store.js';

export class SnapshotFeed implements DashboardFeed {
  readonly recent = new RecentResults();
  readonly chart = new ChartStore();
  private snapshot: EngineSnapshot | null = null;
  private readonly listeners = new Set<() => void>();

  push(s: EngineSnapshot): void {
    this.recent.add(s.results);
    this.chart.ingest(s);
    this.snapshot = s;
    for (const l of this.listeners) l();
  }

  readonly latest = (): EngineSnapshot | null => this.snapshot;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };
}
