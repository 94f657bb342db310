// Process inspection for life-cycle tests (Linux /proc): which processes are alive, their parent
// and group, so "no stdio child is left" is checked by pid, not by a name.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  cmdline: string;
}

function read(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, state: rest[0]!, ppid: Number(rest[1]), pgrp: Number(rest[2]), cmdline };
  } catch {
    return undefined;
  }
}

/** Every live process (zombies are dead: they only wait to be reaped). */
export function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = read(Number(name));
    if (info && info.state !== 'Z' && info.state !== 'X') out.push(info);
  }
  return out;
}

export function isAlive(pid: number): boolean {
  const info = read(pid);
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}

/** `pid`'s descendants, alive now. */
export function descendants(pid: number): ProcInfo[] {
  const all = processes();
  const out: ProcInfo[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        out.push(p);
        grew = true;
      }
    }
  }
  return out;
}

/** Live processes whose command line contains `marker`. */
export function withMarker(marker: string): ProcInfo[] {
  return processes().filter((p) => p.cmdline.includes(marker));
}
