// Overview at a glance: is the gateway up (with its switch), where, how much it serves, and whether a
// container engine was found.
import { useShallow } from 'zustand/react/shallow';
import { Chip, CopyButton, StatusChip, Switch, ToneChip } from '../components/controls.js';
import { LogoIcon } from '../components/icons.js';
import { selectGatewayOn } from '../stores/gateway.js';
import { useDashboard, useGateway } from '../stores/hooks.js';

function ConnectionBadge() {
  const connection = useGateway((s) => s.connection);
  const status = useGateway((s) => s.status);
  const error = useGateway((s) => s.error);
  if (status === 'offline') {
    return (
      <span className="conn conn-bad" role="status" title={error ?? undefined}>
        Cannot reach Switchyard — retrying
      </span>
    );
  }
  if (connection === 'open' || connection === 'none') {
    return (
      <span className="conn conn-ok" title="Live updates on">
        Live
      </span>
    );
  }
  return (
    <span className="conn conn-warn" role="status">
      {connection === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
    </span>
  );
}

export function Header() {
  const gateway = useGateway((s) => s.snapshot?.gateway);
  const version = useGateway((s) => s.snapshot?.version);
  const counts = useGateway((s) => s.snapshot?.counts);
  const discovery = useGateway((s) => s.snapshot?.discovery);
  const backendSummary = useGateway(
    useShallow((s) => {
      const list = s.snapshot?.backends ?? [];
      return [list.length, list.filter((b) => b.state === 'ready').length] as const;
    }),
  );
  const on = useGateway(selectGatewayOn);
  const offline = useGateway((s) => s.status === 'offline');
  const pending = useGateway((s) => s.pendingRunning !== null);
  const { gateway: store } = useDashboard();

  const state = gateway?.state ?? 'stopped';
  const engines = discovery ?? [];

  return (
    <header className="header">
      <div className="header-row">
        <div className="brand">
          <LogoIcon />
          <h1>Switchyard</h1>
          {version ? <span className="version">v{version}</span> : null}
        </div>
        <ConnectionBadge />
      </div>
      <section className="overview" aria-label="Gateway overview">
        <div className="overview-item overview-gateway">
          <span className="overview-label" id="gateway-label">
            MCP endpoint
          </span>
          <div className="overview-value">
            <Switch
              checked={on}
              onChange={(next) => void store.getState().setGatewayRunning(next)}
              label="MCP endpoint on"
              text={
                offline ? (
                  <ToneChip tone="muted" label="Unknown" />
                ) : (
                  <StatusChip state={pending ? (on ? 'starting' : 'stopping') : state} />
                )
              }
              disabled={!gateway || pending}
              busy={pending}
            />
          </div>
          {gateway?.error ? (
            <span className="overview-error" role="alert">
              {gateway.error}
            </span>
          ) : null}
        </div>
        <div className="overview-item overview-url">
          <span className="overview-label">Endpoint URL</span>
          <div className="overview-value">
            {gateway?.url ? (
              <>
                <code className="url">{gateway.url}</code>
                <CopyButton text={gateway.url} what="Endpoint URL" />
              </>
            ) : (
              <span className="muted">not listening</span>
            )}
            {gateway ? (
              <Chip tone={gateway.auth === 'token' ? 'ok' : 'warn'}>
                {gateway.auth === 'token' ? 'token required' : 'no auth'}
              </Chip>
            ) : null}
          </div>
        </div>
        <dl className="overview-counts" aria-label="Counts">
          <div>
            <dt>Backends</dt>
            <dd>
              {backendSummary[1]}/{backendSummary[0]} <span className="muted">ready</span>
            </dd>
          </div>
          <div>
            <dt>Tools</dt>
            <dd>{counts?.tools ?? '–'}</dd>
          </div>
          <div>
            <dt>Prompts</dt>
            <dd>{counts?.prompts ?? '–'}</dd>
          </div>
          <div>
            <dt>Resources</dt>
            <dd>{counts ? counts.resources + counts.resourceTemplates : '–'}</dd>
          </div>
          <div>
            <dt>Sessions</dt>
            <dd>{counts?.sessions ?? '–'}</dd>
          </div>
        </dl>
        <div className="overview-item overview-engine">
          <span className="overview-label">Container engine</span>
          {engines.length === 0 ? (
            <span className="muted">–</span>
          ) : (
            <ul className="engine-list">
              {engines.map((source) => (
                <li
                  key={source.kind}
                  className={source.ok ? 'engine-ok' : 'engine-off'}
                  title={source.summary}
                >
                  <span className="chip-dot" aria-hidden="true" />
                  <span>
                    <span className="visually-hidden">{source.ok ? 'Found: ' : 'Not available: '}</span>
                    {source.summary}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </section>
    </header>
  );
}
