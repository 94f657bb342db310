// Profiles on the Connect view: per endpoint, what its client will see against what it accepts
// ("Cursor will see 112 tools; its limit is 80"), search mode, what the budget cut and which names
// were shortened to fit the client's rule. Each configured profile has a tool pick: a searchable
// list of its backends' tools with checkboxes, the count against the budget as you pick, and Save,
// which writes `profiles.<name>.tools` in the config file (applied at once, one toast). The
// default profile (/mcp) shows everything: its tools are turned off for every client in Tools.
import { useEffect, useId, useRef } from 'react';
import type { ProfileReport, ProfileToolChoice, ProfileTools } from '../contract.js';
import { overLimit, profileSentence } from '../lib/profiles.js';
import { useDashboard, useProfiles } from '../stores/hooks.js';
import { pickChanged, type ProfilePick } from '../stores/profiles.js';
import { Spinner } from '../components/controls.js';

const plural = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

/** "12 of 40 tools picked · budget 80 · Cursor's limit is 80", and whether that is over the limit. */
export function pickCount(tools: ProfileTools, picked: number): { text: string; over: boolean } {
  const parts = [`${picked.toLocaleString('en')} of ${plural(tools.tools.length, 'tool')} picked`];
  if (tools.budget !== null) parts.push(`budget ${tools.budget.toLocaleString('en')}`);
  if (tools.clientLimit !== null)
    parts.push(
      `${tools.clientLabel} ${tools.limitKind === 'soft' ? 'warns past' : 'accepts at most'} ${tools.clientLimit.toLocaleString('en')}`,
    );
  const limit = Math.min(tools.budget ?? Infinity, tools.clientLimit ?? Infinity);
  return { text: parts.join(' · '), over: picked > limit };
}

const matches = (tool: ProfileToolChoice, query: string) => {
  const needle = query.trim().toLowerCase();
  if (!needle) return true;
  return [tool.name, tool.originalName, tool.backend, tool.title, tool.description].some((v) =>
    v?.toLowerCase().includes(needle),
  );
};

function ToolPick({ profile, pick }: { profile: string; pick: ProfilePick }) {
  const { profiles } = useDashboard();
  const store = profiles.getState();
  const id = useId();
  if (pick.loading || !pick.tools)
    return (
      <div className="tool-pick">
        {pick.error ? (
          <p className="form-error" role="alert">
            Could not load the tools of {profile}: {pick.error}
          </p>
        ) : (
          <Spinner label={`Loading the tools of ${profile}`} />
        )}
      </div>
    );
  const tools = pick.tools;
  const picked = new Set(pick.draft);
  const shown = tools.tools.filter((t) => matches(t, pick.query));
  const backends = [...new Set(tools.tools.map((t) => t.backend))];
  const count = pickCount(tools, picked.size);
  const changed = pickChanged(pick);
  const keysOf = (list: readonly ProfileToolChoice[]) => list.map((t) => t.key);
  return (
    <div className="tool-pick" role="group" aria-label={`Tools of ${profile}`}>
      <div className="tool-pick-bar">
        <div className="field field-grow">
          <label htmlFor={`${id}-search`}>Find tools</label>
          <input
            id={`${id}-search`}
            type="search"
            value={pick.query}
            placeholder="name, backend or description"
            spellCheck={false}
            onChange={(e) => store.setPickQuery(profile, e.target.value)}
          />
        </div>
        <button
          type="button"
          className="button button-small"
          onClick={() => store.pickTools(profile, keysOf(shown), true)}
        >
          {pick.query.trim() ? 'Pick all shown' : 'Pick all'}
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => store.pickTools(profile, keysOf(shown), false)}
        >
          {pick.query.trim() ? 'Clear shown' : 'Clear'}
        </button>
      </div>
      <p className={count.over ? 'form-error' : 'muted'} aria-live="polite">
        {count.text}
        {count.over ? ' — over the limit: pick fewer, or the budget cuts the rest' : ''}
      </p>
      {shown.length === 0 ? (
        <p className="muted" role="status">
          {tools.tools.length === 0
            ? 'The backends of this profile offer no tools right now.'
            : `No tool matches “${pick.query}”.`}
        </p>
      ) : (
        backends.map((backend) => {
          const own = shown.filter((t) => t.backend === backend);
          if (own.length === 0) return null;
          const all = tools.tools.filter((t) => t.backend === backend);
          const on = all.filter((t) => picked.has(t.key)).length;
          return (
            <fieldset key={backend} className="tool-pick-group">
              <legend>
                {backend}{' '}
                <span className="muted">
                  ({on} of {all.length})
                </span>
              </legend>
              <div className="tool-pick-group-actions">
                <button
                  type="button"
                  className="link-button"
                  onClick={() => store.pickTools(profile, keysOf(all), true)}
                >
                  Pick all from {backend}
                </button>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => store.pickTools(profile, keysOf(all), false)}
                >
                  Clear {backend}
                </button>
              </div>
              <ul className="tool-pick-list">
                {own.map((tool) => (
                  <li key={tool.key}>
                    <label>
                      <input
                        type="checkbox"
                        checked={picked.has(tool.key)}
                        onChange={(e) => store.pickTools(profile, [tool.key], e.target.checked)}
                      />{' '}
                      <code>{tool.name}</code>
                      {tool.description ? <span className="muted"> — {tool.description}</span> : null}
                    </label>
                  </li>
                ))}
              </ul>
            </fieldset>
          );
        })
      )}
      <p className="muted">
        Saving writes <code>profiles.{profile}.tools</code> in the config file.{' '}
        {tools.newTools === 'hidden'
          ? 'It lists the tools picked (include): tools added later stay hidden here.'
          : 'It lists the tools left out (exclude): tools added later show here.'}
      </p>
      {pick.error ? (
        <p className="form-error" role="alert">
          Could not save: {pick.error}
        </p>
      ) : null}
      <div className="tool-pick-actions">
        <button
          type="button"
          className="button button-primary"
          disabled={!changed || pick.saving}
          onClick={() => void store.savePick(profile)}
        >
          {pick.saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="button" onClick={() => store.closePick(profile)}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function ProfileItem({ report }: { report: ProfileReport }) {
  const { profiles, ui } = useDashboard();
  const pick = useProfiles((s) => s.picks[report.profile]);
  const isDefault = report.endpointPath === '/mcp';
  const r = report;
  // When the pick closes (saved or cancelled) its buttons go: focus goes back to what opened it.
  const opener = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (wasOpen.current && !pick && document.activeElement === document.body) opener.current?.focus();
    wasOpen.current = pick !== undefined;
  }, [pick]);
  return (
    <li className="profile" aria-label={`Profile ${r.profile}`}>
      <div className="profile-head">
        <strong>{r.profile}</strong> <code>{r.endpointPath}</code>
        {isDefault ? null : (
          <button
            ref={opener}
            type="button"
            className="button button-small"
            aria-expanded={pick !== undefined}
            aria-label={`Choose tools for ${r.profile}`}
            onClick={() =>
              pick ? profiles.getState().closePick(r.profile) : void profiles.getState().openPick(r.profile)
            }
          >
            Choose tools
          </button>
        )}
      </div>
      <p className={overLimit(r) ? 'form-error' : undefined}>{profileSentence(r)}</p>
      <p className="muted">
        Names: {r.nameRule}
        {r.budget !== null ? ` · budget ${r.budget}` : ''} · search {r.searchSetting}
      </p>
      {isDefault ? (
        <p className="muted">
          Every tool, for every client of <code>/mcp</code>. To hide a tool from all clients, turn it off in{' '}
          <button type="button" className="link-button" onClick={() => ui.getState().setView('tools')}>
            Tools
          </button>
          .
        </p>
      ) : null}
      {pick ? <ToolPick profile={r.profile} pick={pick} /> : null}
      {r.cut.length > 0 && (
        <details>
          <summary>
            {r.cut.length} {r.cut.length === 1 ? 'tool' : 'tools'} cut by the budget
          </summary>
          <ul>
            {r.cut.map((name) => (
              <li key={name}>
                <code>{name}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
      {r.shortened.length > 0 && (
        <details>
          <summary>
            {r.shortened.length} {r.shortened.length === 1 ? 'name' : 'names'} shortened to fit
          </summary>
          <ul>
            {r.shortened.map((s) => (
              <li key={s.from}>
                <code>{s.from}</code> → <code>{s.to}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

export function ProfilesPanel() {
  const reports = useProfiles((s) => s.reports);
  const error = useProfiles((s) => s.error);
  if (error) return <p className="form-error">Could not load the profiles: {error}</p>;
  if (!reports) return null;
  return (
    <section className="profiles" aria-labelledby="profiles-title">
      <h3 id="profiles-title">Profiles</h3>
      <ul className="profile-list">
        {reports.map((r) => (
          <ProfileItem key={r.profile} report={r} />
        ))}
      </ul>
    </section>
  );
}
