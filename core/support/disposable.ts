// Everything a part started that must stop with it — listener subscriptions, timers, intervals —
// kept in one place, so `dispose()` cannot forget one (a forgotten unsubscribe keeps a dead part
// reachable and still reacting).

export type Disposer = () => void;

export class DisposableStore {
  private readonly disposers: Disposer[] = [];
  private disposed = false;

  /** Keeps `disposer` to run at dispose (at once when already disposed); returns it. */
  add(disposer: Disposer): Disposer {
    if (this.disposed) disposer();
    else this.disposers.push(disposer);
    return disposer;
  }

  /** An unref'd interval, cleared at dispose. */
  interval(callback: () => void, ms: number): NodeJS.Timeout {
    const timer = setInterval(callback, ms);
    timer.unref();
    this.add(() => clearInterval(timer));
    return timer;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Runs every disposer once, newest first; one that throws does not stop the rest. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const disposer of this.disposers.splice(0).reverse()) {
      try {
        disposer();
      } catch {
        // a failing disposer must not keep the others from running
      }
    }
  }
}
