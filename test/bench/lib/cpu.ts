// CPU time of other processes (Linux /proc), to attribute a run's CPU to client, proxy and backend.
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** User + system CPU of a process in ms, or undefined when /proc is not readable. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: fields after it start past the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Samples several processes; `since()` returns each one's CPU ms used after the sample. */
export function cpuSample(pids: Record<string, number | undefined>): {
  since(): Record<string, number | undefined>;
} {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
  return {
    since() {
      return Object.fromEntries(
        Object.entries(pids).map(([k, pid]) => {
          const now = cpuMs(pid);
          const then = before[k];
          return [k, now !== undefined && then !== undefined ? now - then : undefined];
        }),
      );
    },
  };
}
