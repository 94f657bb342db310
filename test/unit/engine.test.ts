// The engine's small parts: one spelling of the config path and the endpoint URL (IPv6 bracketed),
// the gateway's on/off state machine, which config keys wait for a restart, and the config file's
// backend list applied to a real registry as a diff.
import { describe, expect, it } from 'vitest';
import { BackendRegistry } from '../../core/backends/registry.js';
import { restartOnlyChanges } from '../../core/config/diff.js';
import { validateConfig } from '../../core/config/load.js';
import { configFilePath, endpointUrl } from '../../core/config/paths.js';
import type { ConfigInput, SwitchyardConfig } from '../../core/config/schema.js';
import type { GatewayState } from '../../common/control/snapshot.js';
import { ConfigSource } from '../../core/discovery/config-source.js';
import { GatewaySwitch } from '../../core/engine/gateway-switch.js';
import { DEFAULT_BACKOFF } from '../../core/support/backoff.js';
import { silentLogger } from '../../core/support/logger.js';

const config = (input: ConfigInput): SwitchyardConfig => {
  const result = validateConfig(input, {});
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
};

describe('paths', () => {
  it('brackets IPv6 hosts in the endpoint URL', () => {
    expect(endpointUrl('127.0.0.1', 4750)).toBe('http://127.0.0.1:4750/mcp');
    expect(endpointUrl('::1', 4750)).toBe('http://[::1]:4750/mcp');
    expect(endpointUrl('[::1]', 4750)).toBe('http://[::1]:4750/mcp');
    expect(new URL(endpointUrl('::1', 4750)).port).toBe('4750');
  });

  it('finds the config file: flag, then SWITCHYARD_CONFIG (unless empty), then the data dir', () => {
    expect(configFilePath('/data', {}, '/etc/sy.yaml')).toBe('/etc/sy.yaml');
    expect(configFilePath('/data', { SWITCHYARD_CONFIG: '/env.yaml' })).toBe('/env.yaml');
    expect(configFilePath('/data', { SWITCHYARD_CONFIG: '' })).toBe('/data/config.yaml');
    expect(configFilePath('/data', {})).toBe('/data/config.yaml');
  });
});

describe('GatewaySwitch', () => {
  it('runs one change at a time, in order, and reports each state', async () => {
    const steps: string[] = [];
    const gate = new GatewaySwitch(
      {
        turnOn: async () => void steps.push('on'),
        turnOff: async () => {
          await new Promise((r) => setTimeout(r, 5));
          steps.push('off');
        },
      },
      { clock: { now: () => 1000 }, logger: silentLogger },
    );
    const states: GatewayState[] = [];
    gate.changed.on((s) => states.push(s));
    gate.enter('starting');
    gate.enter('running');
    expect(gate.running).toBe(true);
    expect(gate.startedAt).toBe(1000);
    // Off and on again at once: both steps run, off first.
    await Promise.all([gate.setRunning(false), gate.setRunning(true)]);
    expect(steps).toEqual(['off', 'on']);
    expect(states).toEqual(['starting', 'running', 'stopping', 'stopped', 'starting', 'running']);
    await gate.setRunning(true); // already on: nothing
    expect(steps).toEqual(['off', 'on']);
    gate.enter('error', 'port in use');
    expect(gate.error).toBe('port in use');
    await expect(gate.setRunning(true)).rejects.toThrow(/the gateway is error/);
  });
});

describe('restartOnlyChanges', () => {
  it('names the keys a running engine cannot apply, and only those', () => {
    const a = config({ backends: [] });
    const b = config({
      server: { port: 4751 },
      auth: { token: 'off' },
      audit: { retentionDays: 7 },
      sessions: { idleTtl: '1h' },
      aggregation: { conflicts: 'prefix' },
      backends: [{ name: 'x', url: 'http://127.0.0.1:1/mcp' }],
    });
    expect(restartOnlyChanges(a, b)).toEqual(['server.port', 'auth.token', 'audit.retentionDays']);
    expect(restartOnlyChanges(a, a)).toEqual([]);
  });
});

describe('ConfigSource', () => {
  it('applies a new backend list as a diff: added, removed, changed; untouched connections kept', async () => {
    const registry = new BackendRegistry({
      clock: { now: () => 0 },
      logger: silentLogger,
      backoff: DEFAULT_BACKOFF,
      healthIntervalMs: 60_000,
      maxResponseBytes: 1024,
      identity: { clientInfo: { name: 't', version: '1' }, capabilities: {} },
    });
    const url = (port: number) => `http://127.0.0.1:${port}/mcp`;
    const first = config({
      backends: [
        { name: 'a', url: url(1) },
        { name: 'b', url: url(2) },
        { name: 'c', url: url(3) },
      ],
    }).backends;
    const source = new ConfigSource(first, { disabledByUser: () => false });
    await source.start(registry);
    expect(registry.names()).toEqual(['a', 'b', 'c']);
    const untouched = registry.get('a');
    const next = config({
      backends: [
        { name: 'a', url: url(1) },
        { name: 'c', url: url(4) },
        { name: 'd', url: url(5), enabled: false },
      ],
    }).backends;
    const diff = await source.update(next);
    expect(diff).toEqual({ added: ['d'], removed: ['b'], changed: ['c'] });
    expect(registry.names()).toEqual(['a', 'c', 'd']);
    expect(registry.get('a')).toBe(untouched);
    expect(registry.isEnabled('d')).toBe(false);
    // Enabled again in the file: on again.
    await source.update(next.map((b) => (b.name === 'd' ? { ...b, enabled: true } : b)));
    expect(registry.isEnabled('d')).toBe(true);
    await registry.stop();
  });
});
