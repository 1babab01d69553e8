// iperf's reader threads on their own: a work item reads up to the chunk in
// whole recv() calls of the server's -l, pays a syscall per call and the copy
// per byte scaled by the cache distance to the data's producer, and takes its
// flows in turn.
import { describe, expect, it } from 'vitest';
import { ReaderSource, type ReaderCosts } from '../../src/net/readers.ts';
import type { ReceiverStack } from '../../src/net/receiverStack.ts';

function setup(unread: number[], over: Partial<ReaderCosts> = {}) {
  const reads: [number, number][] = [];
  const stack = {
    receivers: unread.map((_, f) => ({ get unread() { return unread[f]!; } })),
    unreadBytes: (f: number) => unread[f]!,
    read: (f: number, bytes: number) => {
      unread[f]! -= bytes;
      reads.push([f, bytes]);
      return { ack: null };
    },
  } as unknown as ReceiverStack;
  const costs: ReaderCosts = {
    recvBytes: 1000,
    chunkBytes: 4500,
    readSyscallCycles: 700,
    copyCyclesPerByte: 2,
    factor: (p, q) => (p === q ? 1 : 1.5),
    producerPcpu: () => 3,
    ...over,
  };
  const src = new ReaderSource(stack, unread.map((_, f) => f), costs, () => {});
  const ctx = { nowNs: 0, pcpu: 0 };
  const step = () => {
    const it = src.take(ctx);
    if (it) src.complete(it, ctx);
    return it;
  };
  return { src, reads, step };
}

const cyclesOf = (it: ReturnType<ReturnType<typeof setup>['step']>, c: string) => it!.parts.find((p) => p.component === c)!.cycles;

describe('iperf readers', () => {
  it('a work item reads whole recv() calls up to the chunk: a syscall per call, the copy per byte × the cache factor', () => {
    const { step } = setup([10_000]);
    const a = step()!;
    expect(a.data).toEqual({ flow: 0, bytes: 4000 }); // 4 calls of 1000 fit the 4500-byte chunk
    expect(cyclesOf(a, 'app_read_syscall')).toBe(4 * 700);
    expect(cyclesOf(a, 'copy_to_user')).toBe(4000 * 2 * 1.5); // data produced on PCPU 3, read on PCPU 0
  });

  it('what is left below the chunk is read in as many calls as it takes, the last one short', () => {
    const { step } = setup([2500]);
    const a = step()!;
    expect(a.data.bytes).toBe(2500);
    expect(cyclesOf(a, 'app_read_syscall')).toBe(3 * 700);
    expect(step()).toBeNull();
  });

  it('a chunk smaller than one recv() still reads one whole call', () => {
    const { step } = setup([5000], { chunkBytes: 600 });
    const a = step()!;
    expect(a.data.bytes).toBe(1000);
    expect(cyclesOf(a, 'app_read_syscall')).toBe(700);
  });

  it('the flows are read in turn, not the first one dry before the next', () => {
    const { step, reads } = setup([20_000, 20_000, 0, 20_000]);
    for (let i = 0; i < 4; i++) step();
    expect(reads.map(([f]) => f)).toEqual([0, 1, 3, 0]);
  });
});
