import { existsSync } from 'node:fs';
import { openStore, type BuildSummary, type ModelRecord, type ResultRow, type Store, type SweepCell, type SweepRecord } from '../store/index.js';

/** What the screens show of the database at one moment. */
export interface Snapshot {
  readonly db: string;
  /** False until the database file exists (the first run or sweep creates it). */
  readonly exists: boolean;
  readonly models: readonly ModelRecord[];
  readonly builds: readonly BuildSummary[];
  readonly sweeps: readonly SweepRecord[];
  /** The cells of the sweep asked for, in grid order (empty without one). */
  readonly cells: readonly SweepCell[];
  readonly results: readonly ResultRow[];
  /** Why the database could not be read (a corrupt file, a newer schema), if it could not. */
  readonly error: string | null;
}

export const emptySnapshot = (db: string): Snapshot => ({ db, exists: false, models: [], builds: [], sweeps: [], cells: [], results: [], error: null });

/**
 * Reads the store for the TUI through one connection kept open between reads (SQLite WAL lets it
 * read while sweep workers write). A missing database is not created by reading: it is empty.
 */
export class StoreReader {
  private store: Store | null = null;

  constructor(readonly db: string) {}

  read(o: { sweep?: string | null } = {}): Snapshot {
    try {
      if (!this.store) {
        if (!existsSync(this.db)) return emptySnapshot(this.db);
        this.store = openStore(this.db, { create: false });
      }
      const s = this.store;
      const sweeps = s.listSweeps();
      const sweep = o.sweep && sweeps.some((x) => x.id === o.sweep) ? o.sweep : null;
      return { db: this.db, exists: true, models: s.listModels(), builds: s.listBuilds(), sweeps, cells: sweep ? s.sweepCells(sweep) : [], results: s.resultRows(), error: null };
    } catch (e) {
      this.close();
      return { ...emptySnapshot(this.db), exists: existsSync(this.db), error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** The stored log of a build (its stages' output), null when none was kept. */
  buildLog(id: number): string | null {
    return this.store?.getBuild(id)?.log ?? null;
  }

  close(): void {
    this.store?.close();
    this.store = null;
  }
}
