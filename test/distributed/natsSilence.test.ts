// A peer is silent only if no frame of it arrives: one sending a long message
// in parts (a partition's output at the end of a run) is heard from at each
// part, also while this process is stopping and waits at most 3 s for a word.
import { serialize } from 'node:v8';
import type { NatsConnection } from 'nats';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NatsTransport, STOPPING_SILENCE_MS } from '../../src/cluster/natsTransport.ts';
import { frames } from '../../src/cluster/wire.ts';

/** Just what the transport touches of a connection; `deliver` plays the server handing this process a frame. */
function fakeConnection() {
  let callback: ((err: unknown, msg: { data: Uint8Array }) => void) | null = null;
  const nc = {
    info: { max_payload: 8192 },
    subscribe: (_subject: string, opts: { callback: typeof callback }) => {
      callback = opts.callback;
      return { unsubscribe: () => {} };
    },
    publish: () => {},
    closed: () => new Promise(() => {}),
    isClosed: () => false,
    flush: () => Promise.resolve(),
  } as unknown as NatsConnection;
  return { nc, deliver: (f: Uint8Array) => callback!(null, { data: f }) };
}

describe('NATS transport: silence is per frame', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a peer whose output arrives in parts over longer than the stopping limit is not declared gone', () => {
    const { nc, deliver } = fakeConnection();
    const tr = new NatsTransport({ nc, run: 'r', self: 0, partitions: 2, shown: 'nats://x', silenceMs: 30_000, stopRequested: () => true, say: () => {} });
    tr.watch([1]);
    // An output of ~64 KB: more frames than seconds it takes to arrive, one every second.
    const parts = frames(nc, 1, serialize({ t: 'result', from: 1, name: 'p1', out: { pad: 'x'.repeat(64_000) } }));
    const seconds = Math.ceil((2 * STOPPING_SILENCE_MS) / 1000);
    expect(parts.length).toBeGreaterThan(seconds);
    for (let s = 0; s < seconds; s++) {
      deliver(parts[s]!);
      vi.advanceTimersByTime(1000);
    }
    expect(tr.gone.has(1)).toBe(false);
    expect(tr.failure).toBeNull();
    // Then nothing more: after the stopping limit it counts as gone.
    vi.advanceTimersByTime(STOPPING_SILENCE_MS + 1000);
    expect(tr.gone.has(1)).toBe(true);
    tr.close();
  });
});
