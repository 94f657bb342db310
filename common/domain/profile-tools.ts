// Which tools a profile shows, for the dashboard's per-profile pick (ControlApi.profileTools).

/** One tool of the profile's backends, and whether the profile's include/exclude select it. */
export interface ProfileToolChoice {
  /** `backend/originalName`: what setProfileTools takes, and what it writes in the config. */
  key: string;
  backend: string;
  originalName: string;
  /** Its name on /mcp (the profile may shorten it further for its client). */
  name: string;
  title?: string;
  description?: string;
  selected: boolean;
}

export interface ProfileTools {
  profile: string;
  /** The profile's `backends` (null: all), for "select all from backend X". */
  backends: string[] | null;
  /** `profiles.<name>.tools` as it stands (the config in force). */
  include: string[];
  exclude: string[];
  /**
   * What happens to a tool that appears later: `shown` when the profile lists what it leaves out
   * (`exclude`), `hidden` when it lists what it takes (`include`).
   */
  newTools: 'shown' | 'hidden';
  /** Every tool advertised on /mcp from the profile's backends, in the profile's order. */
  tools: ProfileToolChoice[];
  /** The tool budget (null: none), the client's own limit and its kind, as in ProfileReport. */
  budget: number | null;
  clientLimit: number | null;
  limitKind: 'hard' | 'soft' | null;
  clientLabel: string;
}
