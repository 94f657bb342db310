// Profiles on the Connect view: per endpoint, what its client will see against what it accepts
// ("Cursor will see 112 tools; its limit is 80"), search mode, what the budget cut and which names
// were shortened to fit the client's rule.
import { overLimit, profileSentence } from '../lib/profiles.js';
import { useProfiles } from '../stores/hooks.js';

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
          <li key={r.profile} className="profile" aria-label={`Profile ${r.profile}`}>
            <div className="profile-head">
              <strong>{r.profile}</strong> <code>{r.endpointPath}</code>
            </div>
            <p className={overLimit(r) ? 'form-error' : undefined}>{profileSentence(r)}</p>
            <p className="muted">
              Names: {r.nameRule}
              {r.budget !== null ? ` · budget ${r.budget}` : ''} · search {r.searchSetting}
            </p>
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
        ))}
      </ul>
    </section>
  );
}
