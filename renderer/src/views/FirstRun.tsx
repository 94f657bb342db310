// The first-run checklist: add a server, connect a client, see the first call. Each step ticks
// itself off from the engine's state; the list goes away once all three are done (or on request).
import { useEffect } from 'react';
import { firstRunSteps } from '../stores/first-run.js';
import { useDashboard, useFirstRun, useGateway } from '../stores/hooks.js';

function Step({ done, title, children }: { done: boolean; title: string; children?: React.ReactNode }) {
  return (
    <li className={`step${done ? ' step-done' : ''}`}>
      <span className="step-mark" aria-hidden="true">
        {done ? '✓' : ''}
      </span>
      <div>
        <strong>{title}</strong> <span className="visually-hidden">{done ? '(done)' : '(to do)'}</span>
        {!done && children ? <div className="muted small">{children}</div> : null}
      </div>
    </li>
  );
}

export function FirstRun() {
  const { firstRun, ui } = useDashboard();
  const snapshot = useGateway((s) => s.snapshot);
  const clientSeen = useFirstRun((s) => s.clientSeen);
  const callSeen = useFirstRun((s) => s.callSeen);
  const checked = useFirstRun((s) => s.checked);
  const dismissed = useFirstRun((s) => s.dismissed);
  const steps = firstRunSteps(snapshot, { clientSeen, callSeen });

  useEffect(() => {
    if (!checked) void firstRun.getState().check();
  }, [checked, firstRun]);

  if (!snapshot || !checked || dismissed || (steps.server && steps.client && steps.call)) return null;
  const done = [steps.server, steps.client, steps.call].filter(Boolean).length;
  return (
    <section className="first-run" aria-labelledby="first-run-title">
      <div className="first-run-head">
        <h2 id="first-run-title">Get started</h2>
        <span className="muted small" aria-live="polite">
          {done} of 3 done
        </span>
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => firstRun.getState().dismiss()}
        >
          Hide this list
        </button>
      </div>
      <ol className="steps">
        <Step done={steps.server} title="Add an MCP server">
          Start a container labelled <code>mcp.enable=true</code>, or list a server under{' '}
          <code>backends:</code> in the config file (how: below).
        </Step>
        <Step done={steps.client} title="Connect a client">
          Point Claude Code, Cursor, VS Code or Claude Desktop at this endpoint:{' '}
          <button type="button" className="link-button" onClick={() => ui.getState().setView('connect')}>
            snippets to paste
          </button>
          .
        </Step>
        <Step done={steps.call} title="See the first call">
          Ask the client to use one of the tools; the call shows up in{' '}
          <button type="button" className="link-button" onClick={() => ui.getState().setView('audit')}>
            Audit
          </button>
          .
        </Step>
      </ol>
    </section>
  );
}
