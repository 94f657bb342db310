import { describe, expect, it, vi } from 'vitest';
import { DisposableStore } from '../../core/support/disposable.js';
import { Emitter } from '../../core/support/emitter.js';

describe('DisposableStore', () => {
  it('runs every disposer once, newest first, even when one throws', () => {
    const store = new DisposableStore();
    const order: string[] = [];
    store.add(() => order.push('first'));
    store.add(() => {
      throw new Error('broken');
    });
    store.add(() => order.push('last'));
    store.dispose();
    store.dispose();
    expect(order).toEqual(['last', 'first']);
    expect(store.isDisposed).toBe(true);
  });

  it('removes emitter listeners and clears intervals it was given', () => {
    vi.useFakeTimers();
    try {
      const store = new DisposableStore();
      const emitter = new Emitter<number>();
      const heard: number[] = [];
      store.add(emitter.on((v) => heard.push(v)));
      let ticks = 0;
      store.interval(() => ticks++, 10);
      emitter.emit(1);
      vi.advanceTimersByTime(25);
      store.dispose();
      emitter.emit(2);
      vi.advanceTimersByTime(50);
      expect(heard).toEqual([1]);
      expect(ticks).toBe(2);
      expect(emitter.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('disposes at once what is added after it was disposed', () => {
    const store = new DisposableStore();
    store.dispose();
    const late = vi.fn();
    store.add(late);
    expect(late).toHaveBeenCalledOnce();
  });
});
