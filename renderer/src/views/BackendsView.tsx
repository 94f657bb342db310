// Backends: every server behind the gateway with its status, and a detail panel for the chosen one.
import { Chip, EmptyState, ToneChip } from '../components/controls.js';
import type { BackendSource, BackendStatus } from '../contract.js';
import { formatDuration, formatTimestamp } from '../lib/format.js';
import { describeStatus, type RetryInfo } from '../lib/status.js';
import { FirstRun } from './FirstRun.js';
import { selectBackends } from '../stores/gateway.js';
import { useBackends, useDashboard, useGateway, useUi } from '../stores/hooks.js';
import { BackendDetailPanel } from './BackendDetail.js';
import { AddBackendButton, BackendEditHost, ConfigBanner } from './BackendForm.js';

export function sourceLabel(source: BackendSource): string {
  if (source.kind === 'config') return 'config file';
  return `${source.engine}${source.engineVersion ? ` ${source.engineVersion}` : ''} container`;
}

function NoBackends() {
  const discovery = useGateway((s) => s.snapshot?.discovery ?? []);
  const configFile = useGateway((s) => s.snapshot?.paths?.configFile);
  return (
    <EmptyState title="No MCP servers yet">
      <ConfigBanner />
      <AddBackendButton />
      <BackendEditHost />
      <p>Switchyard serves the tools of the MCP servers it finds. Add one either way:</p>
      <div className="empty-columns">
        <div>
          <h4>Label a container</h4>
          <p>Run any MCP server in Docker or Podman with these labels; it shows up here by itself:</p>
          <pre className="hint-command">
            {`docker run -d --name my-mcp \\
  -l mcp.enable=true -l mcp.port=8080 \\
  -p 127.0.0.1:8080:8080 your/mcp-image`}
          </pre>
          <p className="muted">
            Optional: <code>mcp.name</code>, <code>mcp.transport=sse|stdio</code>, <code>mcp.path</code>.
            ToolHive workloads are found as they are.
          </p>
        </div>
        <div>
          <h4>Or edit the config file</h4>
          <p>
            Add it under <code>backends:</code> in{' '}
            {configFile ? (
              <code>{configFile}</code>
            ) : (
              <>
                <code>config.yaml</code> (in the data directory, or the file given with <code>--config</code>)
              </>
            )}
            , then restart Switchyard:
          </p>
          <pre className="hint-command">
            {`backends:
  - name: everything
    url: http://127.0.0.1:3001/mcp
  - name: memory
    command: npx
    args: ["-y", "@modelcontextprotocol/server-memory"]`}
          </pre>
        </div>
      </div>
      {discovery.length ? (
        <ul className="engine-list">
          {discovery.map((d) => (
            <li key={d.kind} className={d.ok ? 'engine-ok' : 'engine-off'}>
              <span className="chip-dot" aria-hidden="true" />
              {d.summary}
            </li>
          ))}
        </ul>
      ) : null}
    </EmptyState>
  );
}

function BackendRow({
  backend,
  selected,
}: {
  backend: BackendStatus & RetryInfo & { enabled: boolean; displayName?: string };
  selected: boolean;
}) {
  const { backends } = useDashboard();
  const now = useUi((s) => s.now);
  const gateway = useGateway((s) => s.snapshot?.gateway.state);
  const offline = useGateway((s) => s.status === 'offline');
  const status = describeStatus(backend, gateway, now);
  const open = () => backends.getState().select(selected ? null : backend.name);
  return (
    <tr className={selected ? 'row-selected' : undefined} onClick={open}>
      <th scope="row">
        <button
          type="button"
          className="link-button"
          aria-expanded={selected}
          aria-controls="backend-detail"
          data-backend={backend.name}
          onClick={(e) => {
            e.stopPropagation();
            open();
          }}
        >
          {backend.displayName ?? backend.name}
        </button>
        {backend.displayName ? (
          <div className="muted small">
            <code>{backend.name}</code>
          </div>
        ) : null}
        {backend.serverInfo ? (
          <div className="muted small">
            {backend.serverInfo.title ?? backend.serverInfo.name} {backend.serverInfo.version}
          </div>
        ) : null}
      </th>
      <td>
        <ToneChip tone={status.tone} label={status.label} />
        <div className="muted small" title={formatTimestamp(backend.since)}>
          {offline ? 'last known (engine not answering)' : status.detail}
        </div>
      </td>
      <td>
        <Chip tone="outline">{backend.transport}</Chip>
        {backend.era ? (
          <Chip tone="outline">
            <span
              title={
                backend.era === 'legacy' ? '2025 protocol (sessions)' : '2026-07-28 protocol (stateless)'
              }
            >
              {backend.era === 'legacy' ? '2025 era' : '2026 era'}
            </span>
          </Chip>
        ) : null}
      </td>
      <td>{sourceLabel(backend.source)}</td>
      <td className="num">{backend.counts.tools}</td>
      <td className="num">{backend.counts.prompts}</td>
      <td className="num">{backend.counts.resources + backend.counts.resourceTemplates}</td>
      <td className="num">{backend.latencyMs !== undefined ? formatDuration(backend.latencyMs) : '–'}</td>
      <td className="error-cell">{status.error ? <span title={status.error}>{status.error}</span> : null}</td>
    </tr>
  );
}

export function BackendsView() {
  const list = useGateway(selectBackends);
  const loaded = useGateway((s) => s.snapshot !== null);
  const selected = useBackends((s) => s.selected);
  if (!loaded) return <p className="muted">Loading…</p>;
  if (list.length === 0) {
    return (
      <>
        <FirstRun />
        <NoBackends />
      </>
    );
  }
  const current = selected && list.some((b) => b.name === selected) ? selected : null;
  return (
    <>
      <FirstRun />
      <div className={current ? 'split' : undefined}>
        <section aria-labelledby="backends-title">
          <h2 id="backends-title" className="view-title">
            Backends <span className="muted">({list.length})</span> <AddBackendButton />
          </h2>
          <ConfigBanner />
          <BackendEditHost />
          <div className="table-wrap">
            <table className="table table-interactive">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Transport</th>
                  <th scope="col">Source</th>
                  <th scope="col" className="num">
                    Tools
                  </th>
                  <th scope="col" className="num">
                    Prompts
                  </th>
                  <th scope="col" className="num">
                    Resources
                  </th>
                  <th scope="col" className="num">
                    Latency
                  </th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {list.map((backend) => (
                  <BackendRow key={backend.name} backend={backend} selected={backend.name === current} />
                ))}
              </tbody>
            </table>
          </div>
        </section>
        {current ? <BackendDetailPanel key={current} name={current} /> : null}
      </div>
    </>
  );
}
