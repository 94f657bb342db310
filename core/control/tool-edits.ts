// Which tools are advertised, edited from the dashboard and written to the config file (the control
// API's part of it): the Tools view's switch writes `aggregation.backends.<backend>.tools`, a
// profile's pick writes `profiles.<name>.tools`, both through core/config/edit-lists.ts (comments
// and untouched bytes kept, invalid files refused and left alone), then applied at once by the
// engine's reload (the file watcher then sees the same text and does nothing).
import type { ProfileTools } from '../../common/domain/profile-tools.js';
import type { Aggregator } from '../aggregate/aggregator.js';
import { matchesPattern } from '../aggregate/names.js';
import type { BackendRegistry } from '../backends/registry.js';
import { ConfigEditError, withConfigLock } from '../config/edit.js';
import { editConfigLists, readConfigRaw, type ListEdit } from '../config/edit-lists.js';
import { DEFAULT_PROFILE } from '../config/schema.js';
import { pickedLists, profileChoices, type ToolPick } from '../profiles/choices.js';
import type { Profiles } from '../profiles/profiles.js';
import { ControlError } from './errors.js';

export interface ToolEditsDeps {
  /** The config file; undefined for an engine built without one (nothing to edit). */
  file: string | undefined;
  registry: BackendRegistry;
  aggregator: Aggregator;
  profiles: Profiles;
  /** The environment `${env:NAME}` references are checked against. */
  env: NodeJS.ProcessEnv;
  /** Applies the file as it now is (the engine's reload). */
  apply(): Promise<void>;
  /** Stores what is left of the legacy `disabledTools` setting (empty: removed). */
  saveLegacy(list: Record<string, string[]>): void;
}

interface Filter {
  include: string[];
  exclude: string[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** `a.b.c` of a raw config, as a filter (missing lists are empty). */
function filterAt(raw: Record<string, unknown>, path: readonly string[]): Filter {
  let at: unknown = raw;
  for (const key of path)
    at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  const node = (at ?? {}) as Record<string, unknown>;
  return { include: strings(node.include), exclude: strings(node.exclude) };
}

const passes = (filter: Filter, tool: string) =>
  (filter.include.length === 0 || filter.include.some((p) => matchesPattern(p, tool))) &&
  !filter.exclude.some((p) => matchesPattern(p, tool));

/**
 * A backend's filter with `tool` turned on or off, changing as little as it can: off adds it to
 * `exclude` (or takes it out of an `include` that names it and others); on takes it out of
 * `exclude` and, when an `include` leaves it out, adds it there. A tool kept out by a pattern
 * (`get-*`) cannot be turned on alone: that is a 409 naming the pattern.
 */
export function switchedFilter(filter: Filter, tool: string, enabled: boolean, where: string): Filter {
  if (passes(filter, tool) === enabled) return filter;
  if (!enabled) {
    const othersInclude = filter.include.filter((p) => p !== tool);
    if (
      filter.include.includes(tool) &&
      othersInclude.length > 0 &&
      !othersInclude.some((p) => matchesPattern(p, tool))
    )
      return { include: othersInclude, exclude: filter.exclude };
    return { include: filter.include, exclude: [...filter.exclude, tool] };
  }
  const exclude = filter.exclude.filter((p) => p !== tool);
  const pattern = exclude.find((p) => matchesPattern(p, tool));
  if (pattern !== undefined)
    throw new ControlError(
      409,
      `"${tool}" is left out by the pattern "${pattern}" in ${where}.exclude; change that pattern in the config file`,
    );
  const include =
    filter.include.length > 0 && !filter.include.some((p) => matchesPattern(p, tool))
      ? [...filter.include, tool]
      : filter.include;
  return { include, exclude };
}

/** The list edits that turn `before` into `after` at `path` (only lists that change). */
function listEdits(path: readonly string[], before: Filter, after: Filter, keep = 0): ListEdit[] {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  return (['include', 'exclude'] as const)
    .filter((key) => !same(before[key], after[key]))
    .map((key) => ({ path: [...path, key], list: after[key], keep }));
}

export class ToolEdits {
  constructor(private readonly deps: ToolEditsDeps) {}

  /** The Tools view's switch: the backend's include/exclude in the config file, applied at once. */
  async setToolEnabled(backend: string, tool: string, enabled: boolean): Promise<void> {
    const connection = this.deps.registry.get(backend);
    if (!connection) throw new ControlError(404, `no backend named "${backend}"`);
    // Turning on is always allowed (a tool may be gone from the catalog since it was turned off).
    if (!enabled && connection.catalog && !connection.catalog.tools.some((t) => t.name === tool))
      throw new ControlError(404, `backend "${backend}" has no tool named "${tool}"`);
    const file = this.fileOrThrow();
    const path = ['aggregation', 'backends', backend, 'tools'];
    await withConfigLock(file, async () => {
      const raw = await this.read(file);
      // A tool the legacy setting turned off is turned on there too (it is not in the file).
      if (enabled) this.forgetLegacy({ [backend]: [tool] });
      const before = filterAt(raw, path);
      const after = switchedFilter(before, tool, enabled, `aggregation.backends.${backend}.tools`);
      await this.write(file, listEdits(path, before, after));
    });
  }

  /** Every tool a profile could show, and which it does (the profile's config in force). */
  profileTools(profile: string): ProfileTools {
    const config = this.profileConfig(profile);
    return profileChoices(this.deps.profiles.set, profile, config);
  }

  /**
   * A profile's pick (keys `backend/tool`, checked among `shown`, the keys the pick listed): its
   * include/exclude in the config file, applied at once. Tools the pick did not list keep what the
   * file gives them (see pickedLists).
   */
  async setProfileTools(profile: string, pick: ToolPick): Promise<void> {
    const config = this.profileConfig(profile);
    const file = this.fileOrThrow();
    await withConfigLock(file, async () => {
      const raw = await this.read(file);
      const path = ['profiles', profile, 'tools'];
      const stored = (raw.profiles as Record<string, unknown> | undefined)?.[profile];
      if (!stored || typeof stored !== 'object')
        throw new ControlError(
          409,
          `profile "${profile}" is not in ${file} (edited since?); reload and try again`,
        );
      const before = filterAt(raw, path);
      const after = pickedLists(this.deps.profiles.set, config, before, pick);
      await this.write(file, listEdits(path, before, after, 2));
    });
  }

  /**
   * Folds the legacy `disabledTools` setting (tools turned off before the switch wrote the config)
   * into the config file as excludes, once; the setting is then removed. Nothing to fold, no file,
   * or a file that cannot be edited now: the setting stays and is honoured as before.
   */
  async foldLegacy(): Promise<'folded' | 'nothing' | string> {
    const legacy = this.deps.aggregator.disabledToolList;
    if (Object.keys(legacy).length === 0) return 'nothing';
    const file = this.deps.file;
    if (!file) return 'this engine has no config file';
    try {
      await withConfigLock(file, async () => {
        const raw = await readConfigRaw(file, this.deps.env);
        const edits: ListEdit[] = [];
        for (const [backend, tools] of Object.entries(legacy)) {
          const path = ['aggregation', 'backends', backend, 'tools'];
          const before = filterAt(raw, path);
          let after = before;
          for (const tool of tools) after = switchedFilter(after, tool, false, path.join('.'));
          edits.push(...listEdits(path, before, after));
        }
        if (edits.length > 0) await editConfigLists(file, edits, this.deps.env);
        await this.deps.apply();
      });
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    this.forgetLegacy(legacy);
    return 'folded';
  }

  // --- helpers -------------------------------------------------------------------------------------

  private forgetLegacy(list: Record<string, readonly string[]>): void {
    if (this.deps.aggregator.forgetDisabled(list))
      this.deps.saveLegacy(this.deps.aggregator.disabledToolList);
  }

  private profileConfig(profile: string) {
    if (profile === DEFAULT_PROFILE)
      throw new ControlError(
        409,
        'the default profile (/mcp) shows every tool; turn a tool off for every client in the Tools view',
      );
    const config = this.deps.profiles.config(profile);
    if (!config) throw new ControlError(404, `no profile named "${profile}"`);
    return config;
  }

  private fileOrThrow(): string {
    if (!this.deps.file)
      throw new ControlError(
        409,
        'this engine was started without a config file, so which tools are advertised cannot be edited here',
      );
    return this.deps.file;
  }

  private async read(file: string): Promise<Record<string, unknown>> {
    try {
      return await readConfigRaw(file, this.deps.env);
    } catch (error) {
      throw asControlError(error);
    }
  }

  private async write(file: string, edits: ListEdit[]): Promise<void> {
    if (edits.length === 0) return;
    try {
      await editConfigLists(file, edits, this.deps.env);
    } catch (error) {
      throw asControlError(error);
    }
    await this.deps.apply();
  }
}

/** A file that cannot be edited now (invalid) is a 409 with its errors; a refused edit a 400. */
function asControlError(error: unknown): unknown {
  if (!(error instanceof ConfigEditError)) return error;
  return new ControlError(error.reason === 'invalid-file' ? 409 : 400, error.message);
}
