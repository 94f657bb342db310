// Quitting: the first quit is held while the engine stops cleanly (backends closed, database
// flushed), the tray saying so meanwhile; then the app really quits. Electron's `app` is passed in.

export interface QuitApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

export interface QuitSteps {
  /** Called once, when quitting starts (render the tray as "quitting"). */
  onQuitting(): void;
  /** Stops the engine; errors are reported by `log` and do not keep the app alive. */
  stop(): Promise<void>;
  /** After the engine stopped, before the app quits (destroy the tray). */
  onStopped(): void;
  log(message: string): void;
}

export function holdQuitUntilStopped(app: QuitApp, steps: QuitSteps): { readonly quitting: boolean } {
  let quitting = false;
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    steps.onQuitting();
    void steps
      .stop()
      .catch((error: unknown) => steps.log(`while stopping: ${String(error)}`))
      .finally(() => {
        stopped = true;
        steps.onStopped();
        app.quit();
      });
  });
  return {
    get quitting() {
      return quitting;
    },
  };
}
