// SignalStop on its own, in this process: a first SIGINT/SIGTERM/SIGHUP asks the run to stop and
// cuts a wait short, a second one exits at once with 128 + its number; --ignore-hangup keeps going
// through SIGHUP; failed writes to a closed terminal do not end the process; uninstall leaves no
// handler behind. (The handlers are called directly: no real signal reaches the test runner.)
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignalStop } from '../../src/cli/signals.ts';

const SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;
let installed: SignalStop[] = [];

function make(opts: { ignoreHangup?: boolean } = {}) {
  const stop = vi.fn();
  const before = Object.fromEntries(SIGNALS.map((s) => [s, process.listeners(s).length]));
  const s = new SignalStop(stop, { ignoreHangup: opts.ignoreHangup ?? true });
  s.install();
  installed.push(s);
  // Ours is the handler install() added last.
  const handler = (sig: (typeof SIGNALS)[number]) => process.listeners(sig).at(-1) as () => void;
  return { s, stop, handler, before };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  for (const s of installed) s.uninstall();
  installed = [];
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('SignalStop', () => {
  it('the first SIGTERM stops the run once, sets exit code 143 and ends a wait in progress', async () => {
    const { s, stop, handler } = make();
    let woke = false;
    const slept = s.sleep(60_000).then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    expect(s.exitCode).toBeNull();
    handler('SIGTERM')();
    await slept;
    expect(woke).toBe(true);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(s.received).toBe('SIGTERM');
    expect(s.exitCode).toBe(143);
  });

  it('a second signal exits at once with 128 + its number', () => {
    const { stop, handler } = make();
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    handler('SIGINT')();
    expect(exit).not.toHaveBeenCalled();
    expect(() => handler('SIGTERM')()).toThrow('exit 143');
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('SIGINT and SIGHUP give 130 and 129', () => {
    const a = make({ ignoreHangup: false });
    a.handler('SIGHUP')();
    expect(a.s.exitCode).toBe(129);
    a.s.uninstall();
    const b = make();
    b.handler('SIGINT')();
    expect(b.s.exitCode).toBe(130);
  });

  it('--ignore-hangup: SIGHUP neither stops the run nor counts; SIGINT still does', () => {
    const { s, stop, handler } = make({ ignoreHangup: true });
    handler('SIGHUP')();
    expect(stop).not.toHaveBeenCalled();
    expect(s.received).toBeNull();
    handler('SIGINT')();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('EPIPE/EIO on stdout or stderr is ignored, other errors are not — unless the terminal hung up', () => {
    const { handler } = make({ ignoreHangup: false });
    const onErr = (stream: NodeJS.WriteStream) => stream.listeners('error').at(-1) as (e: NodeJS.ErrnoException) => void;
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(() => onErr(process.stdout)(err('EPIPE'))).not.toThrow();
    expect(() => onErr(process.stderr)(err('EIO'))).not.toThrow();
    expect(() => onErr(process.stdout)(err('ENOSPC'))).toThrow('ENOSPC');
    handler('SIGHUP')();
    expect(() => onErr(process.stdout)(err('ENOSPC'))).not.toThrow();
  });

  it('after runEnded (the --metrics-linger wait), a signal says the run had ended instead of promising a partial result', async () => {
    const { s, handler } = make();
    const write = vi.mocked(process.stderr.write);
    s.runEnded('serving /metrics');
    const slept = s.sleep(60_000);
    handler('SIGINT')();
    await slept;
    const said = write.mock.calls.map((c) => String(c[0])).join('');
    expect(said).toContain('vioemu: SIGINT — the run had ended and its result is written; no longer serving /metrics');
    expect(said).not.toContain('stopping at the next window');
    expect(s.exitCode).toBe(130);
  });

  it('uninstall removes every signal handler it added', () => {
    const { s, before } = make({ ignoreHangup: false });
    for (const sig of SIGNALS) expect(process.listeners(sig).length).toBe(before[sig]! + 1);
    s.uninstall();
    for (const sig of SIGNALS) expect(process.listeners(sig).length).toBe(before[sig]!);
  });
});
