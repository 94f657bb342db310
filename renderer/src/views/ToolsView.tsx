// Every tool of every backend in one searchable list: the name clients see, the backend and the
// tool's own name, its description, and whether it is advertised, hidden or in a conflict.
import { useMemo } from 'react';
import { Chip, EmptyState, Spinner, Switch } from '../components/controls.js';
import { matchesTool, type ToolRow } from '../stores/tools.js';
import { useDashboard, useGateway, useTools } from '../stores/hooks.js';
import { TryTool } from './TryTool.js';

function StateCell({ row }: { row: ToolRow }) {
  const { ui } = useDashboard();
  if (row.disabled) return <Chip tone="muted">off</Chip>;
  if (row.state === 'conflict') {
    return (
      <button type="button" className="link-button" onClick={() => ui.getState().setView('conflicts')}>
        <Chip tone="warn">conflict</Chip>
      </button>
    );
  }
  if (row.state === 'hidden') return <Chip tone="muted">hidden</Chip>;
  return <Chip tone="ok">advertised</Chip>;
}

export function ToolsView() {
  const rows = useTools((s) => s.rows);
  const query = useTools((s) => s.query);
  const loading = useTools((s) => s.loading);
  const loaded = useTools((s) => s.loaded);
  const errors = useTools((s) => s.errors);
  const backendCount = useGateway((s) => s.snapshot?.backends.length ?? 0);
  const { tools } = useDashboard();
  const shown = useMemo(() => rows.filter((r) => matchesTool(r, query)), [rows, query]);
  const advertised = rows.filter((r) => r.advertisedAs !== null).length;
  const failed = Object.entries(errors);
  const trying = useTools((s) => s.trying);
  const toggling = useTools((s) => s.toggling);
  const target = trying ? rows.find((r) => r.advertisedAs === trying.name) : undefined;
  const paused = useGateway((s) => s.snapshot?.gateway.state !== 'running');

  return (
    <section className="tools-view" aria-labelledby="tools-title">
      <div className="view-head">
        <h2 id="tools-title" className="view-title">
          Tools{' '}
          <span className="muted">
            ({advertised} advertised of {rows.length})
          </span>
        </h2>
        {loading ? <Spinner label="Loading the tools" /> : null}
      </div>
      <form
        className="filters filters-inline"
        role="search"
        aria-label="Find tools"
        onSubmit={(e) => e.preventDefault()}
      >
        <div className="field field-grow">
          <label htmlFor="tool-search">Search</label>
          <input
            id="tool-search"
            type="search"
            value={query}
            placeholder="name, backend or description"
            spellCheck={false}
            onChange={(e) => tools.getState().setQuery(e.target.value)}
          />
        </div>
      </form>
      <p className="muted">
        A tool&rsquo;s <strong>On</strong> switch applies to every client: it writes{' '}
        <code>aggregation.backends.&lt;backend&gt;.tools</code> (<code>exclude</code>, or the{' '}
        <code>include</code> you wrote) in the config file. To choose tools for one client, use its profile on
        the Connect view.
      </p>
      {trying && !target && loaded ? (
        <p className="form-error" role="alert">
          <code>{trying.name}</code> is not advertised right now, so it cannot be tried.{' '}
          <button type="button" className="link-button" onClick={() => tools.getState().closeTry()}>
            Dismiss
          </button>
        </p>
      ) : null}
      {failed.length ? (
        <p className="form-error" role="alert">
          Could not load the tools of {failed.map(([name, why]) => `${name} (${why})`).join(', ')}.
        </p>
      ) : null}
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : backendCount === 0 ? (
        <EmptyState title="No MCP servers yet">
          <p>Tools show up here once a server is added (see Backends).</p>
        </EmptyState>
      ) : rows.length === 0 ? (
        <EmptyState title="No tools">
          <p>
            None of the backends offers a tool right now (a backend that is down shows its tools once it is
            back).
          </p>
        </EmptyState>
      ) : shown.length === 0 ? (
        <p className="muted" role="status">
          No tool matches &ldquo;{query}&rdquo;.
        </p>
      ) : (
        <div className={target ? 'tools-split' : undefined}>
          <div className="table-wrap">
            <table className="table tools-table">
              <caption className="visually-hidden">
                {shown.length} of {rows.length} tools
              </caption>
              <thead>
                <tr>
                  <th scope="col">Advertised as</th>
                  <th scope="col">Backend</th>
                  <th scope="col">Original name</th>
                  <th scope="col">State</th>
                  <th scope="col">On</th>
                  <th scope="col">Description</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((row) => (
                  <tr key={row.key}>
                    <th scope="row">
                      {row.advertisedAs === null ? (
                        <span className="muted">–</span>
                      ) : (
                        <code className={row.advertisedAs !== row.originalName ? 'renamed' : undefined}>
                          {row.advertisedAs}
                        </code>
                      )}
                    </th>
                    <td>{row.backend}</td>
                    <td>
                      <code>{row.originalName}</code>
                    </td>
                    <td>
                      <StateCell row={row} />
                    </td>
                    <td>
                      <Switch
                        checked={!row.disabled}
                        label={`${row.originalName} on ${row.backend} offered to clients`}
                        disabled={Boolean(toggling[row.key])}
                        busy={Boolean(toggling[row.key])}
                        onChange={(on) => void tools.getState().setEnabled(row, on)}
                      />
                    </td>
                    <td className="description">
                      {row.title ? <strong>{row.title}. </strong> : null}
                      {row.description}
                    </td>
                    <td>
                      {row.advertisedAs !== null ? (
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={`Try it: ${row.advertisedAs}`}
                          disabled={paused}
                          title={paused ? 'The MCP endpoint is off' : undefined}
                          onClick={() => tools.getState().openTry(row.advertisedAs!)}
                        >
                          Try it
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {target && trying ? (
            <TryTool
              key={trying.seq}
              name={trying.name}
              backend={target.backend}
              inputSchema={target.definition.inputSchema}
              {...(trying.initialArguments !== undefined
                ? { initialArguments: trying.initialArguments }
                : {})}
              run={(args) => tools.getState().runTry(trying.name, args)}
              onClose={() => {
                tools.getState().closeTry();
                requestAnimationFrame(() =>
                  document
                    .querySelector<HTMLElement>(`[aria-label="Try it: ${CSS.escape(trying.name)}"]`)
                    ?.focus(),
                );
              }}
            />
          ) : null}
        </div>
      )}
    </section>
  );
}
