// The whole dashboard rendered on a bridge as the page starts it (no polling, no typing delay),
// for the component tests. The caller stops `dashboard` after each test.
import { act, render } from '@testing-library/react';
import type { Bridge } from '../../../renderer/src/bridge/bridge.js';
import { createDashboard, type DashboardOptions } from '../../../renderer/src/stores/dashboard.js';
import { DashboardContext } from '../../../renderer/src/stores/hooks.js';
import { App } from '../../../renderer/src/views/App.js';
import { flush } from './memory-bridge.js';

export async function renderDashboard(bridge: Bridge, options: DashboardOptions = {}) {
  const dashboard = createDashboard(bridge, { pollMs: 0, audit: { typingDelayMs: 0 }, ...options });
  dashboard.start();
  const view = render(
    <DashboardContext.Provider value={dashboard}>
      <App />
    </DashboardContext.Provider>,
  );
  await act(() => flush());
  return { dashboard, view };
}
