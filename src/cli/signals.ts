// SIGINT, SIGTERM and SIGHUP during a run: the first stops every partition at
// its next window so what was gathered is written (exit 128 + signal number:
// 130, 143, 129); a second one aborts at once. After a hangup the terminal may
// be gone, so failed writes to stdout/stderr no longer end the process.
//
// Losing the parent process counts as a hang-up too: a script or remote shell
// that started the run in the background and was killed (`kill -HUP` of the
// script, an ssh session without a terminal dropping) signals only itself, and
// the orphaned run would otherwise go on for hours with nobody to read its
// result. `--ignore-hangup` (what nohup would do, had Node not reset SIGHUP's
// disposition at start-up) keeps the run going through both.
import { readFileSync } from 'node:fs';

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof SIGNAL_NUMBERS;

/** How often the parent is looked for (ms): well inside the time a script takes to read the result, and each wake-up of an idle process costs ~0.2 ms here (5 ms polls cost ~5% of a core, 20 ms ones lost the race to a script reading the result under load). */
const PARENT_POLL_MS = 10;

/** The parent's pid as the kernel sees it now (Node's process.ppid is read once at start-up). */
export function currentParentPid(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    // No procfs: a parent that is gone cannot be signalled.
    try {
      process.kill(process.ppid, 0);
      return process.ppid;
    } catch {
      return 1;
    }
  }
}

export interface SignalStopOptions {
  /** Keep running through SIGHUP and the parent's exit (--ignore-hangup). */
  ignoreHangup?: boolean;
}

export class SignalStop {
  received: StopSignal | null = null;
  private wake: (() => void) | null = null;
  /** Set by runEnded(): what a signal now cuts short, the run being over and its result written. */
  private ended: string | null = null;
  private parentWatch: NodeJS.Timeout | null = null;
  private readonly ignoreHangup: boolean;
  private readonly handlers = new Map<StopSignal, () => void>();
  private readonly onStdioError = (e: NodeJS.ErrnoException) => {
    if (this.received === 'SIGHUP' || e.code === 'EPIPE' || e.code === 'EIO') return;
    throw e;
  };

  constructor(
    private readonly stop: () => void,
    options: SignalStopOptions = {},
  ) {
    this.ignoreHangup = options.ignoreHangup ?? false;
  }

  install(): void {
    for (const sig of Object.keys(SIGNAL_NUMBERS) as StopSignal[]) {
      const h = sig === 'SIGHUP' && this.ignoreHangup ? () => {} : () => this.onSignal(sig);
      this.handlers.set(sig, h);
      process.on(sig, h);
    }
    // Left on by uninstall: the result is written just before it, and a pipe or terminal that is gone
    // reports EPIPE/EIO only when the write is flushed, after the command has returned.
    process.stdout.on('error', this.onStdioError);
    process.stderr.on('error', this.onStdioError);
    if (!this.ignoreHangup) this.watchParent();
  }

  uninstall(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.clear();
    if (this.parentWatch) clearInterval(this.parentWatch);
    this.parentWatch = null;
    this.wake?.();
  }

  /** A parent that exits (the kernel hands us to init or a subreaper) is a hang-up. */
  private watchParent(): void {
    const parent = currentParentPid();
    if (!(parent > 1)) return; // started by init or a container's entry point: nothing to lose
    this.parentWatch = setInterval(() => {
      if (currentParentPid() === parent) return;
      if (this.parentWatch) clearInterval(this.parentWatch);
      this.parentWatch = null;
      if (!this.received) this.onSignal('SIGHUP', `the process that started vioemu (pid ${parent}) exited`);
    }, PARENT_POLL_MS);
    this.parentWatch.unref();
  }

  /** 128 + the signal's number once one arrived, else null. */
  get exitCode(): number | null {
    return this.received ? 128 + SIGNAL_NUMBERS[this.received] : null;
  }

  /**
   * The run has ended and its result is written; from now on a signal only cuts short `what`
   * (e.g. "serving /metrics" during --metrics-linger) and says so, rather than promising to stop
   * at the next window and write what was gathered.
   */
  runEnded(what: string): void {
    this.ended = what;
  }

  /** Write to stderr; never throws (the terminal may have hung up). */
  say(text: string): void {
    try {
      process.stderr.write(text);
    } catch {
      // nothing left to tell
    }
  }

  /** Wait `ms`, or less if a signal arrives. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  private onSignal(sig: StopSignal, why?: string): void {
    if (this.received) {
      this.say(`\nvioemu: ${sig} again — aborting\n`);
      process.exit(128 + SIGNAL_NUMBERS[sig]);
    }
    this.received = sig;
    const what = why ? `${why}: a hang-up (${sig})` : sig;
    const doing = this.ended !== null
      ? `the run had ended and its result is written; no longer ${this.ended}`
      : 'stopping at the next window and writing what was gathered (send it again to abort)';
    this.say(`\nvioemu: ${what} — ${doing}\n`);
    this.stop();
    this.wake?.();
  }
}
