// What a client needs: the endpoint, the token (hidden until revealed), and snippets to paste.
import { CodeBlock, CopyButton, Spinner } from '../components/controls.js';
import { EyeIcon } from '../components/icons.js';
import { buildSnippets, TOKEN_MASK } from '../lib/snippets.js';
import { useConnect, useDashboard } from '../stores/hooks.js';
import { ProfilesPanel } from './ProfilesPanel.js';

export function ConnectView() {
  const info = useConnect((s) => s.info);
  const loading = useConnect((s) => s.loading);
  const error = useConnect((s) => s.error);
  const revealed = useConnect((s) => s.revealed);
  const { connect } = useDashboard();

  if (!info) {
    return loading ? (
      <Spinner label="Loading connection details" />
    ) : (
      <p className="form-error" role="alert">
        Could not load the connection details{error ? `: ${error}` : ''}.{' '}
        <button type="button" className="link-button" onClick={() => void connect.getState().load()}>
          Try again
        </button>
      </p>
    );
  }
  const real = buildSnippets(info, info.token);
  const shown = revealed ? real : buildSnippets(info, info.token === null ? null : TOKEN_MASK);

  return (
    <div className="connect-view">
      <h2 className="view-title">Connect a client</h2>
      <dl className="facts facts-wide">
        <dt>Endpoint</dt>
        <dd className="inline-value">
          <code className="url">{info.url}</code>
          <CopyButton text={info.url} what="Endpoint URL" />
        </dd>
        <dt>Token</dt>
        <dd className="inline-value">
          {info.token === null ? (
            <span className="muted">Authentication is off: clients need no token.</span>
          ) : (
            <>
              <code className="token" aria-label={revealed ? 'Token' : 'Token (hidden)'}>
                {revealed ? info.token : TOKEN_MASK}
              </code>
              <button
                type="button"
                className="button button-ghost button-icon"
                aria-pressed={revealed}
                aria-label={revealed ? 'Hide the token' : 'Reveal the token'}
                title={revealed ? 'Hide the token' : 'Reveal the token'}
                onClick={() => connect.getState().setRevealed(!revealed)}
              >
                <EyeIcon off={revealed} />
              </button>
              <CopyButton text={info.token} what="Token" />
            </>
          )}
        </dd>
        <dt>Header</dt>
        <dd>
          {info.token === null ? (
            <span className="muted">none</span>
          ) : (
            <code>Authorization: Bearer &lt;token&gt;</code>
          )}
        </dd>
      </dl>
      <div className="snippets">
        {shown.map((snippet, i) => (
          <section key={snippet.id} className="snippet" aria-labelledby={`snippet-${snippet.id}`}>
            <h3 id={`snippet-${snippet.id}`}>{snippet.client}</h3>
            <CodeBlock
              text={snippet.text}
              copyText={real[i]!.text}
              what={`${snippet.client} snippet`}
              label={`${snippet.client} configuration`}
              caption={snippet.where}
            />
          </section>
        ))}
      </div>
      <ProfilesPanel />
    </div>
  );
}
