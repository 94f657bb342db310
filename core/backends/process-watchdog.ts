// Stdio backends must die with Switchyard, even when Switchyard itself is killed with SIGKILL (no
// exit handler runs then). Each stdio child is spawned in its own process group (so a server that
// forks, like `npx` → node, goes down as a whole), and one watchdog per engine process — a tiny
// POSIX shell, not a second Node — holds the read end of a pipe from the engine. The engine writes
// `+PGID` / `-PGID` lines as groups come and go; when the engine dies for any reason the kernel
// closes its end, `read` sees EOF, and the watchdog kills every group still registered. No polling,
// no pid reuse race on the engine's pid (see docs/decisions.md, "Stdio children die with Switchyard").
// Windows has no process groups of this kind: there a job object with KILL_ON_JOB_CLOSE is the
// equivalent (not implemented; stdio children are spawned as before).
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The watchdog, in POSIX sh (dash, bash and macOS's sh all run it). It ignores the terminal's
 * signals (it is in its own session anyway), keeps a space-separated set of group ids, and on EOF
 * sends SIGTERM to each group, waits a moment, then SIGKILL.
 */
const SCRIPT = `
trap '' INT HUP QUIT PIPE
groups=' '
while IFS= read -r line; do
  case $line in
    +[0-9]*) groups="$groups\${line#+} " ;;
    -[0-9]*) id=\${line#-}
      case $groups in *" $id "*) groups="\${groups%% $id *} \${groups#* $id }" ;; esac ;;
  esac
done
[ "$groups" = ' ' ] && exit 0
for g in $groups; do kill -s TERM -- "-$g" 2>/dev/null; done
sleep 1
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
exit 0
`;

export interface ProcessGroupGuard {
  /** Spawn options that put a child in its own process group (where that is supported). */
  readonly spawnOptions: { detached: boolean };
  /** Registers a child's group (its pid, since it leads its group) to be killed if the engine dies. */
  register(pgid: number): void;
  /** The group ended (or was killed by us): forget it. */
  unregister(pgid: number): void;
  /** Sends `signal` to the whole group (the server and whatever it started); false when it is gone. */
  signal(pgid: number, signal: NodeJS.Signals): boolean;
}

export class ProcessWatchdog implements ProcessGroupGuard {
  readonly spawnOptions = { detached: true };
  private watchdog: ChildProcess | undefined;
  private readonly groups = new Set<number>();

  constructor(private readonly shell = '/bin/sh') {}

  /** The watchdog's own pid, while it runs (tests). */
  get pid(): number | undefined {
    return this.watchdog?.pid;
  }

  register(pgid: number): void {
    this.groups.add(pgid);
    this.write(`+${pgid}\n`);
  }

  unregister(pgid: number): void {
    if (!this.groups.delete(pgid)) return;
    this.write(`-${pgid}\n`);
  }

  signal(pgid: number, signal: NodeJS.Signals): boolean {
    try {
      process.kill(-pgid, signal);
      return true;
    } catch {
      return false;
    }
  }

  private write(line: string): void {
    // If the watchdog is gone (someone killed it), the next registration starts a new one that is
    // told every group still alive; a failed write is the same as a gone watchdog.
    const watchdog = this.watchdog;
    if (!watchdog) {
      if (line.startsWith('+')) this.spawnWatchdog();
      return;
    }
    watchdog.stdin?.write(line, (error) => {
      if (error && this.watchdog === watchdog) this.watchdog = undefined;
    });
  }

  private spawnWatchdog(): ChildProcess | undefined {
    let child: ChildProcess;
    try {
      child = spawn(this.shell, ['-c', SCRIPT], {
        // Its own session: a Ctrl-C meant for `serve` does not end it before it has done its job.
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
    } catch {
      return undefined;
    }
    // Neither the process nor its pipe keeps the engine's event loop alive.
    child.unref();
    (child.stdin as unknown as { _handle?: { unref?(): void } })?._handle?.unref?.();
    child.stdin?.on('error', () => undefined);
    child.on('error', () => {
      if (this.watchdog === child) this.watchdog = undefined;
    });
    child.on('exit', () => {
      if (this.watchdog === child) this.watchdog = undefined;
    });
    this.watchdog = child;
    // A replacement watchdog learns every group the previous one knew.
    const known = [...this.groups].map((g) => `+${g}\n`).join('');
    if (known) child.stdin?.write(known);
    return child;
  }

  /** Ends the watchdog (after the engine has closed its children itself). Idempotent. */
  close(): void {
    const watchdog = this.watchdog;
    this.watchdog = undefined;
    watchdog?.stdin?.end();
  }
}

/** Where process groups do not exist (Windows): children are spawned and killed one by one. */
class NoGroups implements ProcessGroupGuard {
  readonly spawnOptions = { detached: false };
  register(): void {}
  unregister(): void {}
  signal(): boolean {
    return false;
  }
}

let shared: ProcessGroupGuard | undefined;

/** The engine process's guard: one watchdog for every stdio child of this process. */
export function processGroupGuard(): ProcessGroupGuard {
  shared ??= process.platform === 'win32' ? new NoGroups() : new ProcessWatchdog();
  return shared;
}
