// SIGINT, SIGTERM and SIGHUP during a run: the first stops every partition at
// its next window so what was gathered is written (exit 128 + signal number:
// 130, 143, 129); a second one aborts at once. After a hangup the terminal may
// be gone, so failed writes to stdout/stderr no longer end the process.

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof SIGNAL_NUMBERS;

export class SignalStop {
  received: StopSignal | null = null;
  private wake: (() => void) | null = null;
  private readonly handlers = new Map<StopSignal, () => void>();
  private readonly onStdioError = (e: NodeJS.ErrnoException) => {
    if (this.received === 'SIGHUP' || e.code === 'EPIPE' || e.code === 'EIO') return;
    throw e;
  };

  constructor(private readonly stop: () => void) {}

  install(): void {
    for (const sig of Object.keys(SIGNAL_NUMBERS) as StopSignal[]) {
      const h = () => this.onSignal(sig);
      this.handlers.set(sig, h);
      process.on(sig, h);
    }
    process.stdout.on('error', this.onStdioError);
    process.stderr.on('error', this.onStdioError);
  }

  uninstall(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.clear();
    this.wake?.();
  }

  /** 128 + the signal's number once one arrived, else null. */
  get exitCode(): number | null {
    return this.received ? 128 + SIGNAL_NUMBERS[this.received] : null;
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

  private onSignal(sig: StopSignal): void {
    if (this.received) {
      this.say(`\nvioemu: ${sig} again — aborting\n`);
      process.exit(128 + SIGNAL_NUMBERS[sig]);
    }
    this.received = sig;
    this.say(`\nvioemu: ${sig} — stopping at the next window and writing what was gathered (send it again to abort)\n`);
    this.stop();
    this.wake?.();
  }
}
