// What the dashboard reads about each profile (core/profiles builds it with the profile's view).

/** What the dashboard shows per profile: "Cursor will see 112 tools; its limit is 80". */
export interface ProfileReport {
  profile: string;
  /** The client kind whose rules apply (`generic` when the profile names none). */
  client: string;
  clientLabel: string;
  endpointPath: string;
  /** Tools the profile selects (backends, include/exclude), before the budget. */
  selected: number;
  /** Tools in its tools/list (2 in search mode: find_tools and call_tool). */
  advertised: number;
  /** Tools a call can reach (all selected ones in search mode). */
  reachable: number;
  /** null: no budget. */
  budget: number | null;
  /** null: the client has no tool limit we know of. */
  clientLimit: number | null;
  limitKind: 'hard' | 'soft' | null;
  search: boolean;
  searchSetting: 'auto' | 'on' | 'off';
  nameRule: string;
  maxNameLength: number;
  /** Tools the budget left out (search off), as `backend/tool`. */
  cut: string[];
  /** Names changed to fit the client's rule. */
  shortened: { from: string; to: string; backend: string }[];
}
