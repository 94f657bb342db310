// @vitest-environment happy-dom
// The Add / Edit / Remove backend dialogs with the in-memory bridge: what a person sees and can do.
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../../../renderer/src/bridge/bridge.js';
import type { Dashboard } from '../../../renderer/src/stores/dashboard.js';
import { backendStatus, flush, MemoryBridge } from './memory-bridge.js';
import { renderDashboard } from './render-dashboard.js';

let bridge: MemoryBridge;
let dashboard: Dashboard;

async function renderApp() {
  ({ dashboard } = await renderDashboard(bridge));
}

beforeEach(() => {
  bridge = new MemoryBridge();
});
afterEach(() => {
  cleanup();
  dashboard?.stop();
});

describe('Add backend', () => {
  it('checks the form, focuses the first invalid field, tests the connection and saves', async () => {
    await renderApp();
    const add = screen.getByRole('button', { name: 'Add backend' });
    await userEvent.click(add);
    const dialog = screen.getByRole('dialog', { name: 'Add a backend' });
    const name = within(dialog).getByLabelText('Name');
    expect(document.activeElement).toBe(name);

    await userEvent.click(within(dialog).getByRole('button', { name: 'Add backend' }));
    await act(() => flush());
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(name.getAttribute('aria-describedby')!)?.textContent).toMatch(
      /name is required/,
    );
    expect(document.activeElement).toBe(name);
    expect(bridge.callsOf('addBackend')).toEqual([]);

    await userEvent.type(name, 'gamma');
    await userEvent.type(within(dialog).getByLabelText('URL'), 'http://127.0.0.1:3009/mcp');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add header' }));
    await userEvent.type(within(dialog).getByLabelText('Headers 1 name'), 'Authorization');
    await userEvent.type(within(dialog).getByLabelText('Headers 1 value'), 'Bearer xyz');
    await userEvent.type(within(dialog).getByLabelText('Timeout'), '10s');

    await userEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    await act(() => flush());
    expect(within(dialog).getByText(/Connected/)).toBeTruthy();
    expect(within(dialog).getByText(/fixture 1\.0\.0, legacy era/)).toBeTruthy();
    expect(within(dialog).getByText('echo')).toBeTruthy();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Add backend' }));
    await act(() => flush());
    expect(bridge.callsOf('addBackend')).toEqual([
      [
        {
          name: 'gamma',
          url: 'http://127.0.0.1:3009/mcp',
          transport: 'streamable-http',
          headers: { Authorization: 'Bearer xyz' },
          timeout: '10s',
        },
      ],
    ]);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(add); // focus returns to the opener
  });

  it('shows a failed test, and ties an engine refusal to its field', async () => {
    bridge.testResult = { ok: false, tools: [], error: 'connect ECONNREFUSED 127.0.0.1:9' };
    await renderApp();
    await userEvent.click(screen.getByRole('button', { name: 'Add backend' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.click(within(dialog).getByLabelText('Command (stdio)'));
    await userEvent.type(within(dialog).getByLabelText('Name'), 'mem');
    await userEvent.type(within(dialog).getByLabelText('Command'), 'npx');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add argument' }));
    await userEvent.type(within(dialog).getByLabelText('Argument 1'), '-y');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    await act(() => flush());
    expect(within(dialog).getByText(/Could not connect/)).toBeTruthy();
    expect(within(dialog).getByText(/ECONNREFUSED/)).toBeTruthy();

    bridge.failures.set('addBackend', new BridgeError('timeout: "soon" is not a duration', 400));
    await userEvent.type(within(dialog).getByLabelText('Timeout'), 'soon');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add backend' }));
    await act(() => flush());
    const timeout = within(dialog).getByLabelText('Timeout');
    expect(timeout.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(timeout.getAttribute('aria-describedby')!)?.textContent).toMatch(
      /not a duration/,
    );
    expect(document.activeElement).toBe(timeout);
    expect(bridge.callsOf('addBackend')[0]).toEqual([
      { name: 'mem', command: 'npx', args: ['-y'], transport: 'stdio', env: {}, timeout: 'soon' },
    ]);
  });

  it('Escape closes the dialog', async () => {
    await renderApp();
    await userEvent.click(screen.getByRole('button', { name: 'Add backend' }));
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('Edit and Remove in the backend detail', () => {
  it('edits with the secret masked; an untouched mask is sent back as it came', async () => {
    await renderApp();
    await userEvent.click(screen.getByRole('button', { name: 'alpha' }));
    await userEvent.click(screen.getByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit backend alpha' });
    await waitFor(() => expect(within(dialog).getByLabelText('URL')).toBeTruthy());
    const value = within(dialog).getByLabelText('Headers 1 value (stored, masked)') as HTMLInputElement;
    expect(value.value).toBe('••••12');
    const url = within(dialog).getByLabelText('URL');
    await userEvent.clear(url);
    await userEvent.type(url, 'http://127.0.0.1:3002/alpha');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await act(() => flush());
    expect(bridge.callsOf('updateBackend')).toEqual([
      [
        'alpha',
        {
          url: 'http://127.0.0.1:3002/alpha',
          transport: 'streamable-http',
          headers: { Authorization: '••••12' },
          timeout: '30s',
        },
      ],
    ]);
  });

  it('remove asks first, naming what stops', async () => {
    await renderApp();
    await userEvent.click(screen.getByRole('button', { name: 'beta' }));
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove backend beta?' });
    expect(dialog.textContent).toMatch(/connection closes.*2 tools/);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove beta' }));
    await act(() => flush());
    expect(bridge.callsOf('removeBackend')).toEqual([['beta']]);
    // The fake pushes no new snapshot, so the detail is still there: focus is back on Remove.
    expect(document.activeElement?.textContent).toBe('Remove');
  });

  it('a container backend says its labels are its config instead of Edit/Remove', async () => {
    bridge.backends = [
      backendStatus('boxed', {
        source: {
          kind: 'container',
          engine: 'podman',
          containerId: 'c1',
          containerName: 'boxed',
          image: 'img',
          convention: 'mcp',
        },
      }),
    ];
    await renderApp();
    await userEvent.click(screen.getByRole('button', { name: 'boxed' }));
    expect(screen.getByText('Found in a container — its labels are its config')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Remove' })).toBeNull();
  });
});

describe('config file state', () => {
  it('shows an edit that was not applied (file, line, key path) and keys waiting for a restart', async () => {
    const build = bridge.buildSnapshot.bind(bridge);
    bridge.buildSnapshot = () => ({
      ...build(),
      config: {
        file: '/home/user/config.yaml',
        appliedAt: Date.now(),
        error: {
          message: 'must be an http:// or https:// URL',
          path: 'backends[1].url',
          line: 7,
          column: 10,
        },
        restartNeeded: ['server.port'],
      },
    });
    await renderApp();
    const banner = screen.getByRole('alert');
    expect(banner.textContent).toMatch(/not applied/);
    expect(banner.textContent).toMatch(/must be an http/);
    expect(banner.textContent).toMatch(/\/home\/user\/config\.yaml, line 7, column 10 at backends\[1\]\.url/);
    expect(screen.getByText(/Restart Switchyard to apply/).textContent).toMatch(/server\.port/);
  });
});
