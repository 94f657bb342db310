// Watches the config file for edits. The directory is watched, not the file: editors save by
// writing a temporary file and renaming it over the original (a new inode a file watch would lose),
// and a deleted file can come back. Bursts of events (write, chmod, rename) are debounced into one.
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface ConfigWatcher {
  close(): void;
}

export function watchConfigFile(
  file: string,
  onChange: () => void,
  options: { debounceMs?: number; onError?: (error: Error) => void } = {},
): ConfigWatcher {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const debounceMs = options.debounceMs ?? 150;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
  };
  try {
    // persistent: false — the watcher alone never keeps the process alive (stop must exit).
    watcher = watch(dir, { persistent: false }, (_event, name) => {
      // Some platforms omit the name: then any change in the folder is a reason to look.
      if (name === null || name === base) fire();
    });
    watcher.on('error', (error) => options.onError?.(error));
  } catch (error) {
    options.onError?.(error as Error);
  }
  return {
    close() {
      clearTimeout(timer);
      timer = undefined;
      watcher?.close();
      watcher = undefined;
    },
  };
}
