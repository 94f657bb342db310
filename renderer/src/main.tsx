// Entry point: pick the bridge (Electron's preload IPC when present, else HTTP with the token from
// the URL fragment), assemble the stores, render.
import 'uplot/dist/uPlot.min.css';
import './styles/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { selectBridge } from './bridge/bridge.js';
import { createHttpBridge } from './bridge/http-bridge.js';
import { saveToken, takeToken } from './bridge/token.js';
import { createDashboard } from './stores/dashboard.js';
import { DashboardContext } from './stores/hooks.js';
import { startRouter } from './stores/router.js';
import { App } from './views/App.js';

const tokenHost = { location: window.location, history: window.history, storage: window.sessionStorage };
let hadToken = false;
const bridge = selectBridge(() => {
  const token = takeToken(tokenHost);
  hadToken = token !== null;
  return createHttpBridge({ token, onTokenChange: (next) => saveToken(tokenHost, next) });
});

let storage: Storage | undefined;
try {
  storage = window.localStorage;
} catch {
  storage = undefined; // storage disabled: preferences last for this page
}
const dashboard = createDashboard(bridge, {
  hadToken,
  ...(storage ? { storage } : {}),
  // In a short window the audit rows come first: the charts start folded.
  chartsOpen: window.innerHeight >= 800,
});
dashboard.start();
// After takeToken: the token has left the fragment, which now holds the route (#/audit?…).
startRouter(dashboard, window);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <DashboardContext.Provider value={dashboard}>
      <App />
    </DashboardContext.Provider>
  </StrictMode>,
);
