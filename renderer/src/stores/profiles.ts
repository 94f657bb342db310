// Per-profile reports (GET /api/profiles): what each client will see, loaded with the Connect view
// and after every snapshot while it is open. And the per-profile tool pick: the profile's tools
// (GET /api/profiles/:profile/tools) with a draft of checkboxes, saved in one step
// (setProfileTools writes `profiles.<name>.tools` in the config file; the engine applies it). An open
// pick follows the profile's tools with the reports (a tool a backend adds shows up, as the
// profile would show it; one it drops goes), keeping the user's ticks on the tools already listed.
import { createStore } from 'zustand/vanilla';
import { errorMessage, isUnauthorized, type Bridge } from '../bridge/bridge.js';
import type { ProfileReport, ProfileTools } from '../contract.js';
import { profileSentence } from '../lib/profiles.js';
import type { GatewayStore } from './gateway.js';
import type { UiStore } from './ui.js';

/** An open tool pick: the profile's tools as the engine has them, and the user's draft. */
export interface ProfilePick {
  tools: ProfileTools | null;
  /** Keys (`backend/tool`) checked in the draft. */
  draft: string[];
  query: string;
  loading: boolean;
  saving: boolean;
  error: string | null;
}

export interface ProfilesState {
  reports: ProfileReport[] | null;
  error: string | null;
  load(): Promise<void>;
  /** Open picks, by profile. */
  picks: Record<string, ProfilePick>;
  /** Opens the pick of a profile (loads its tools; the draft starts as what it shows now). */
  openPick(profile: string): Promise<void>;
  closePick(profile: string): void;
  setPickQuery(profile: string, query: string): void;
  /** Checks or unchecks tools in the draft (one, a backend's, or all). */
  pickTools(profile: string, keys: readonly string[], on: boolean): void;
  /** Writes the draft to the config file; one toast says what the profile's client now sees. */
  savePick(profile: string): Promise<void>;
}

export type ProfilesStore = ReturnType<typeof createProfilesStore>;

/**
 * The draft over a newer list of the profile's tools: the user's ticks kept for the tools both
 * lists have, a tool new to the list ticked when the profile shows it, a tool gone dropped.
 */
export function followedDraft(before: ProfileTools, draft: readonly string[], now: ProfileTools): string[] {
  const listed = new Set(before.tools.map((t) => t.key));
  const ticked = new Set(draft);
  return now.tools.filter((t) => (listed.has(t.key) ? ticked.has(t.key) : t.selected)).map((t) => t.key);
}

/** Whether the draft differs from what the profile shows now. */
export function pickChanged(pick: ProfilePick): boolean {
  if (!pick.tools) return false;
  const now = pick.tools.tools.filter((t) => t.selected).map((t) => t.key);
  return now.length !== pick.draft.length || now.some((k) => !pick.draft.includes(k));
}

export function createProfilesStore(deps: { bridge: Bridge; gateway: GatewayStore; ui?: UiStore }) {
  const { bridge, gateway } = deps;
  let seq = 0;
  return createStore<ProfilesState>()((set, get) => {
    const patch = (profile: string, change: Partial<ProfilePick>) => {
      const pick = get().picks[profile];
      if (pick) set({ picks: { ...get().picks, [profile]: { ...pick, ...change } } });
    };
    /** Per profile, the newest refresh of an open pick: an older answer arriving late is dropped. */
    const refreshes: Record<string, number> = {};
    /** Each open pick (loaded, not saving) fetched again and its draft carried over. */
    const refreshPicks = async () => {
      await Promise.all(
        Object.entries(get().picks).map(async ([profile, pick]) => {
          if (!pick.tools || pick.saving) return;
          const mine = (refreshes[profile] = (refreshes[profile] ?? 0) + 1);
          let now: ProfileTools;
          try {
            now = await bridge.profileTools(profile);
          } catch {
            return; // The pick keeps what it has; Save says what is wrong, if anything still is.
          }
          const current = get().picks[profile];
          if (mine !== refreshes[profile] || !current?.tools || current.saving) return;
          patch(profile, { tools: now, draft: followedDraft(current.tools, current.draft, now) });
        }),
      );
    };
    const failed = (error: unknown) => {
      if (isUnauthorized(error)) gateway.getState().markUnauthorized();
      return errorMessage(error);
    };
    return {
      reports: null,
      error: null,
      async load() {
        const mine = ++seq;
        try {
          const reports = await bridge.profiles();
          if (mine === seq) set({ reports, error: null });
          if (mine === seq) await refreshPicks();
        } catch (error) {
          if (mine !== seq) return;
          set({ error: failed(error) });
        }
      },
      picks: {},
      async openPick(profile) {
        set({
          picks: {
            ...get().picks,
            [profile]: { tools: null, draft: [], query: '', loading: true, saving: false, error: null },
          },
        });
        try {
          const tools = await bridge.profileTools(profile);
          patch(profile, {
            tools,
            draft: tools.tools.filter((t) => t.selected).map((t) => t.key),
            loading: false,
          });
        } catch (error) {
          patch(profile, { loading: false, error: failed(error) });
        }
      },
      closePick(profile) {
        const picks = { ...get().picks };
        delete picks[profile];
        set({ picks });
      },
      setPickQuery: (profile, query) => patch(profile, { query }),
      pickTools(profile, keys, on) {
        const pick = get().picks[profile];
        if (!pick) return;
        const draft = new Set(pick.draft);
        for (const key of keys) {
          if (on) draft.add(key);
          else draft.delete(key);
        }
        // Kept in the profile's order, so the draft reads like the list.
        const order = pick.tools?.tools.map((t) => t.key) ?? [];
        patch(profile, { draft: order.filter((k) => draft.has(k)) });
      },
      async savePick(profile) {
        const pick = get().picks[profile];
        if (!pick?.tools || pick.saving) return;
        patch(profile, { saving: true, error: null });
        try {
          // The keys shown go with the pick: a tool added since it opened keeps what the config gives it.
          await bridge.setProfileTools(
            profile,
            pick.draft,
            pick.tools.tools.map((t) => t.key),
          );
          await get().load();
          const report = get().reports?.find((r) => r.profile === profile);
          get().closePick(profile);
          deps.ui
            ?.getState()
            .notify(`Saved the tools of ${profile}. ${report ? profileSentence(report) : ''}`.trim(), {
              kind: 'success',
              key: `profile-tools:${profile}`,
            });
        } catch (error) {
          patch(profile, { saving: false, error: failed(error) });
        }
      },
    };
  });
}
