// What a client needs: the endpoint, the token (hidden until revealed), and snippets to paste.
import { CodeBlock, CopyButton, Spinner } from '../components/controls.js';
import { EyeIcon } from '../components/icons.js';
import { buildSnippets, TOKEN_MASK } from '../lib/snippets.js';
import { useConnect, useDashboard, useUi } from '../stores/hooks.js';
import { ClientsPanel } from './ClientsPanel.js';
import { ProfilesPanel } from './ProfilesPanel.js';

/** One button per client: Switchyard writes (or removes) its entry in the client's own config. */
function Clients() {
  const clients = useConnect((s) => s.clients);
  const error = useConnect((s) => s.clientsError);
  const busy = useConnect((s) => s.busy);
  const now = useUi((s) => s.now);
  const { connect } = useDashboard();
  return (
    <section className="clients" aria-labelledby="clients-title">
      <h2 className="view-title" id="clients-title">
        Connect a client
      </h2>
      <p className="muted">
        Connect writes a <code>switchyard</code> entry into the client&apos;s own configuration file (a backup
        of the file is kept); Disconnect takes it out again. Same as <code>switchyard connect CLIENT</code>.
      </p>
      {clients ? (
        <ClientsPanel
          clients={clients}
          busy={new Set(busy)}
          now={now}
          onConnect={(id) => void connect.getState().connectClient(id)}
          onDisconnect={(id) => void connect.getState().disconnectClient(id)}
        />
      ) : error ? (
        <p className="form-error" role="alert">
          Could not list the clients: {error}.{' '}
          <button type="button" className="link-button" onClick={() => void connect.getState().loadClients()}>
            Try again
          </button>
        </p>
      ) : (
        <Spinner label="Looking for clients" />
      )}
    </section>
  );
}

export function ConnectView() {
  const info = useConnect((s) => s.info);
  const loading = useConnect((s) => s.loading);
  const error = useConnect((s) => s.error);
  const revealed = useConnect((s) => s.revealed);
  const { connect } = useDashboard();

  if (!info) {
    const status = loading ? (
      <Spinner label="Loading connection details" />
    ) : (
      <p className="form-error" role="alert">
        Could not load the connection details{error ? `: ${error}` : ''}.{' '}
        <button type="button" className="link-button" onClick={() => void connect.getState().load()}>
          Try again
        </button>
      </p>
    );
    return (
      <div className="connect-view">
        <Clients />
        {status}
      </div>
    );
  }
  const real = buildSnippets(info, info.token);
  const shown = revealed ? real : buildSnippets(info, info.token === null ? null : TOKEN_MASK);

  return (
    <div className="connect-view">
      <Clients />
      <h2 className="view-title">Or by hand</h2>
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
