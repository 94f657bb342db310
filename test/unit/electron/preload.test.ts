// The preload as Electron runs it: bundled into one CommonJS file (as `npm run build:electron`
// does) and evaluated in a context that, like a sandboxed preload, has no Node globals and can
// require only `electron`. It must expose exactly `window.switchyard`, wired to ipcRenderer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CONTROL_METHOD_NAMES } from '../../../common/control/methods.js';
import { ROOT } from './fakes.js';

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(ROOT, 'electron/preload.ts')],
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('the preload bundle', () => {
  it('is built the same way by npm run build:electron', () => {
    const script = (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts['build:electron']!;
    for (const flag of [
      'electron/preload.ts',
      '--bundle',
      '--platform=browser',
      '--format=cjs',
      '--external:electron',
    ])
      expect(script).toContain(flag);
    expect(script).toContain('--outfile=dist/electron/preload.cjs');
  });

  it('runs with only `electron` to require, and exposes window.switchyard over ipcRenderer', async () => {
    const code = await bundle();
    const required: string[] = [];
    const exposed = new Map<string, Record<string, unknown>>();
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: {
        exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api),
      },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          invoked.push(args);
          return { ok: true, value: { version: 'x' } };
        },
        on: () => undefined,
        removeListener: () => undefined,
      },
    };
    const module = { exports: {} };
    const context = vm.createContext({
      module,
      exports: module.exports,
      console,
      require: (name: string) => {
        required.push(name);
        if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
        return electron;
      },
    });
    vm.runInContext(code, context);
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['switchyard']);
    const api = exposed.get('switchyard')!;
    expect(Object.keys(api).sort()).toEqual(
      [...CONTROL_METHOD_NAMES, 'subscribe', 'onConnectionChange', 'onNavigate'].sort(),
    );
    expect(await (api.snapshot as () => Promise<unknown>)()).toEqual({ version: 'x' });
    expect(invoked).toEqual([['switchyard:control:snapshot']]);
  });
});
