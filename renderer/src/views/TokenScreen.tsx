import { useState, type FormEvent } from 'react';
import { LogoIcon } from '../components/icons.js';
import { useDashboard, useGateway } from '../stores/hooks.js';
import { loginLinkExpired } from '../bridge/token.js';

/** Shown when the API answers 401: no token in this tab yet, or a wrong one. */
export function TokenScreen() {
  const rejected = useGateway((s) => s.tokenRejected);
  const { gateway } = useDashboard();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [linkExpired] = useState(() => typeof window !== 'undefined' && loginLinkExpired(window));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!token.trim()) return;
    setBusy(true);
    await gateway.getState().submitToken(token);
    setBusy(false);
  };

  return (
    <main className="token-screen">
      <form className="token-card" onSubmit={(e) => void submit(e)} aria-labelledby="token-title">
        <div className="brand">
          <LogoIcon />
          <span>Switchyard</span>
        </div>
        <h1 id="token-title">Paste your token</h1>
        {linkExpired ? (
          <p className="form-error" role="alert">
            That sign-in link was already used or has expired: each link works once, for 10 minutes.
          </p>
        ) : null}
        <p>
          The dashboard needs the token of this Switchyard. Open the one-time link{' '}
          <code>switchyard serve</code> prints when it starts, or copy the token from the <code>token</code>{' '}
          file in the data directory:
        </p>
        <pre className="hint-command">cat ~/.local/share/switchyard/token</pre>
        <label htmlFor="token-input">Token</label>
        <input
          id="token-input"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={rejected || undefined}
          aria-describedby={rejected ? 'token-error' : undefined}
          autoFocus
        />
        {rejected ? (
          <p id="token-error" className="form-error" role="alert">
            That token was not accepted. Check that it belongs to the Switchyard at this address.
          </p>
        ) : null}
        <button type="submit" className="button button-primary" disabled={busy || !token.trim()}>
          {busy ? 'Checking…' : 'Open the dashboard'}
        </button>
        <p className="fine-print">
          It is traded for a sign-in cookie this site only can read; the token itself is not kept.
        </p>
      </form>
    </main>
  );
}
