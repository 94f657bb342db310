// One row per client Switchyard can connect: installed?, connected (and to which profile), last
// seen from the sessions' clientInfo, and one button to connect or disconnect it. The file path
// is shown on demand, with a copy button. What the buttons do is the caller's (ConnectView).
import { useState } from 'react';
import type { ClientId, ClientSummary } from '../contract.js';
import { Chip, CopyButton } from '../components/controls.js';
import { formatRelative } from '../lib/format.js';

export interface ClientsPanelProps {
  clients: ClientSummary[];
  /** Ids with a connect/disconnect under way. */
  busy: ReadonlySet<string>;
  onConnect(id: ClientId): void;
  onDisconnect(id: ClientId): void;
  /** The clock the dashboard ticks ("3 min ago" stays current). */
  now: number;
}

function state(c: ClientSummary): { tone: 'ok' | 'warn' | 'bad' | 'muted'; text: string } {
  if (c.error) return { tone: 'bad', text: 'Unreadable file' };
  if (!c.connected) return { tone: 'muted', text: 'Not connected' };
  if (c.current === false) return { tone: 'warn', text: 'Outdated' };
  return { tone: 'ok', text: 'Connected' };
}

export function ClientsPanel({ clients, busy, onConnect, onDisconnect, now }: ClientsPanelProps) {
  const [shown, setShown] = useState<string | null>(null);
  return (
    <div className="table-wrap">
      <table className="table clients-table" aria-label="Clients">
        <thead>
          <tr>
            <th scope="col">Client</th>
            <th scope="col">Installed</th>
            <th scope="col">State</th>
            <th scope="col">Profile</th>
            <th scope="col">Last seen</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {clients.map((c) => {
            const s = state(c);
            const working = busy.has(c.id);
            return (
              <tr key={c.id} data-client={c.id}>
                <th scope="row">
                  {c.name}
                  <div className="muted small">
                    {c.transport === 'bridge' ? 'through switchyard bridge' : 'HTTP + token'}
                  </div>
                  {shown === c.id ? (
                    <div className="inline-value client-file">
                      <code aria-label={`${c.name} config file`}>{c.file}</code>
                      <CopyButton text={c.file} what={`${c.name} file path`} />
                    </div>
                  ) : null}
                </th>
                <td>
                  {c.installed ? <Chip tone="ok">Installed</Chip> : <span className="muted">Not found</span>}
                </td>
                <td>
                  <Chip tone={s.tone}>{s.text}</Chip>
                  {c.error ? <div className="form-error small">{c.error}</div> : null}
                  {c.current === false && !c.error ? (
                    <div className="muted small">points at another port or token</div>
                  ) : null}
                </td>
                <td>
                  {c.connected ? <code>{c.profile ?? 'default'}</code> : <span className="muted">—</span>}
                </td>
                <td title={c.lastClient}>
                  {c.lastSeen ? formatRelative(c.lastSeen, now) : <span className="muted">never</span>}
                </td>
                <td className="row-actions">
                  {c.connected ? (
                    <>
                      {c.current === false ? (
                        <button
                          type="button"
                          className="button"
                          disabled={working}
                          aria-busy={working || undefined}
                          onClick={() => onConnect(c.id)}
                          aria-label={`Reconnect ${c.name}`}
                        >
                          Reconnect
                        </button>
                      ) : null}
                      <button
                        type="button"
                        className="button button-ghost"
                        disabled={working}
                        aria-busy={working || undefined}
                        onClick={() => onDisconnect(c.id)}
                        aria-label={`Disconnect ${c.name}`}
                      >
                        Disconnect
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="button button-primary"
                      disabled={working || Boolean(c.error)}
                      aria-busy={working || undefined}
                      onClick={() => onConnect(c.id)}
                      aria-label={`Connect ${c.name}`}
                    >
                      Connect
                    </button>
                  )}
                  <button
                    type="button"
                    className="button button-ghost"
                    aria-expanded={shown === c.id}
                    aria-label={`${shown === c.id ? 'Hide' : 'Show'} the config file of ${c.name}`}
                    onClick={() => setShown(shown === c.id ? null : c.id)}
                  >
                    File
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
