// Per-backend settings the user changes in the dashboard: enabled/disabled and a display name.
// A backend without a row is enabled and shown under its own name.
import type Database from 'better-sqlite3';

export interface BackendSetting {
  backend: string;
  enabled: boolean;
  displayName?: string;
  updatedAt: number;
}

export interface BackendSettingsPatch {
  enabled?: boolean;
  /** null clears the display name. */
  displayName?: string | null;
}

export interface BackendSettingsStore {
  all(): BackendSetting[];
  get(backend: string): BackendSetting | undefined;
  /** Applies the patch over the current (or default) setting; durable when it returns. */
  set(backend: string, patch: BackendSettingsPatch, now?: number): BackendSetting;
  remove(backend: string): void;
}

interface SettingRow {
  backend: string;
  enabled: number;
  display_name: string | null;
  updated_at: number;
}

const fromRow = (row: SettingRow): BackendSetting => ({
  backend: row.backend,
  enabled: row.enabled !== 0,
  ...(row.display_name !== null ? { displayName: row.display_name } : {}),
  updatedAt: row.updated_at,
});

export class SqliteBackendSettings implements BackendSettingsStore {
  private readonly selectAll: Database.Statement<[]>;
  private readonly selectOne: Database.Statement<[string]>;
  private readonly upsert: Database.Statement<[string, number, string | null, number]>;
  private readonly deleteOne: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.selectAll = db.prepare('SELECT * FROM backend_settings ORDER BY backend');
    this.selectOne = db.prepare('SELECT * FROM backend_settings WHERE backend = ?');
    this.upsert = db.prepare(
      `INSERT INTO backend_settings (backend, enabled, display_name, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (backend) DO UPDATE SET enabled = excluded.enabled,
         display_name = excluded.display_name, updated_at = excluded.updated_at`,
    );
    this.deleteOne = db.prepare('DELETE FROM backend_settings WHERE backend = ?');
  }

  all(): BackendSetting[] {
    return (this.selectAll.all() as SettingRow[]).map(fromRow);
  }

  get(backend: string): BackendSetting | undefined {
    const row = this.selectOne.get(backend) as SettingRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  set(backend: string, patch: BackendSettingsPatch, now = Date.now()): BackendSetting {
    const current = this.get(backend);
    const enabled = patch.enabled ?? current?.enabled ?? true;
    const displayName = patch.displayName === undefined ? (current?.displayName ?? null) : patch.displayName;
    const updatedAt = Math.round(now);
    this.upsert.run(backend, enabled ? 1 : 0, displayName, updatedAt);
    return { backend, enabled, ...(displayName !== null ? { displayName } : {}), updatedAt };
  }

  remove(backend: string): void {
    this.deleteOne.run(backend);
  }
}
