// Per-backend settings the user changes in the dashboard: enabled/disabled and a display name.
// A backend without a row is enabled and shown under its own name.
import type Database from 'better-sqlite3';
import type {
  AppSettingsStore,
  BackendSetting,
  BackendSettingsPatch,
  BackendSettingsStore,
} from '../../domain/stores.js';

export type { BackendSetting, BackendSettingsPatch, BackendSettingsStore };

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

export class SqliteAppSettings implements AppSettingsStore {
  private readonly selectOne: Database.Statement<[string]>;
  private readonly upsert: Database.Statement<[string, string, number]>;
  private readonly deleteOne: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.selectOne = db.prepare('SELECT value FROM app_settings WHERE key = ?');
    this.upsert = db.prepare(
      `INSERT INTO app_settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.deleteOne = db.prepare('DELETE FROM app_settings WHERE key = ?');
  }

  get<T>(key: string): T | undefined {
    const value = this.selectOne.pluck().get(key) as string | undefined;
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  set(key: string, value: unknown, now = Date.now()): void {
    if (value === undefined) this.deleteOne.run(key);
    else this.upsert.run(key, JSON.stringify(value), Math.round(now));
  }
}
