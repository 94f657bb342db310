// Quitting holds the app until the engine has stopped, once, whatever number of quits arrive, and
// quits even when stopping fails (the seam electron/quit.ts, with a fake `app`).
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { holdQuitUntilStopped, type QuitApp } from '../../../electron/quit.js';

class FakeApp extends EventEmitter implements QuitApp {
  quits = 0;
  prevented = 0;
  quit(): void {
    this.quits += 1;
    this.emit('before-quit', { preventDefault: () => (this.prevented += 1) });
  }
}

describe('holdQuitUntilStopped', () => {
  it('stops the engine once, then really quits', async () => {
    const app = new FakeApp();
    const calls: string[] = [];
    let finish!: () => void;
    const quit = holdQuitUntilStopped(app, {
      onQuitting: () => calls.push('quitting'),
      stop: () => new Promise<void>((resolve) => (finish = resolve)).then(() => void calls.push('stopped')),
      onStopped: () => calls.push('tray destroyed'),
      log: (m) => calls.push(m),
    });
    expect(quit.quitting).toBe(false);
    app.quit();
    app.quit(); // a second Quit while stopping changes nothing
    expect(quit.quitting).toBe(true);
    expect(app.prevented).toBe(2);
    expect(calls).toEqual(['quitting']);
    finish();
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['quitting', 'stopped', 'tray destroyed']);
    // The final quit went through (not prevented again).
    expect(app.quits).toBe(3);
    expect(app.prevented).toBe(2);
  });

  it('quits even when stopping the engine fails, and says why', async () => {
    const app = new FakeApp();
    const logged: string[] = [];
    holdQuitUntilStopped(app, {
      onQuitting: () => undefined,
      stop: () => Promise.reject(new Error('engine gone')),
      onStopped: () => undefined,
      log: (m) => logged.push(m),
    });
    app.quit();
    await new Promise((r) => setImmediate(r));
    expect(logged).toEqual(['while stopping: Error: engine gone']);
    expect(app.quits).toBe(2);
  });
});
