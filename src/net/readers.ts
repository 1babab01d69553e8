// iperf's receiving threads: process-context work on the receiving domain's
// VCPUs. Each recv() copies up to the reader's buffer (the server's -l) to user space:
// a syscall per message plus a per-byte copy whose cost grows with the cache
// distance to the CPU that last wrote the data.
import type { WorkContext, WorkItem, WorkSource } from '../xen/work.ts';
import type { ReceiverStack, AckOut } from './receiverStack.ts';

export interface ReaderCosts {
  /** Bytes the reader asks for per recv() (the iperf server's own -l). */
  readonly recvBytes: number;
  /** Most bytes one work item reads before yielding (several recv() calls). */
  chunkBytes: number;
  readSyscallCycles: number;
  copyCyclesPerByte: number;
  /** Cache factor for data last written on `producerPcpu`, read on `pcpu`. */
  factor(producerPcpu: number, pcpu: number): number;
  producerPcpu(): number;
}

export class ReaderSource implements WorkSource<{ flow: number; bytes: number }> {
  readonly name = 'iperf-reader';
  readonly workClass = 'process' as const;
  private next = 0;

  constructor(
    private readonly stack: ReceiverStack,
    private readonly flows: number[],
    private readonly costs: ReaderCosts,
    private readonly onAck: (ack: AckOut) => void,
  ) {}

  pending(): boolean {
    const rx = this.stack.receivers;
    for (const f of this.flows) if (rx[f]!.unread > 0) return true;
    return false;
  }

  take(ctx: WorkContext): WorkItem<{ flow: number; bytes: number }> | null {
    for (let k = 0; k < this.flows.length; k++) {
      const flow = this.flows[(this.next + k) % this.flows.length]!;
      const avail = this.stack.unreadBytes(flow);
      if (avail <= 0) continue;
      this.next = (this.next + k + 1) % this.flows.length;
      const c = this.costs;
      const bytes = Math.min(avail, Math.max(c.recvBytes, c.chunkBytes - (c.chunkBytes % c.recvBytes)));
      const calls = Math.ceil(bytes / c.recvBytes);
      const f = c.factor(c.producerPcpu(), ctx.pcpu);
      return {
        parts: [
          { component: 'app_read_syscall', cycles: calls * c.readSyscallCycles, packets: 0 },
          { component: 'copy_to_user', cycles: bytes * c.copyCyclesPerByte * f, packets: 0 },
        ],
        source: this,
        data: { flow, bytes },
      };
    }
    return null;
  }

  complete(item: WorkItem<{ flow: number; bytes: number }>, ctx: WorkContext): void {
    const r = this.stack.read(item.data.flow, item.data.bytes, ctx.nowNs);
    if (r.ack) this.onAck(r.ack);
  }
}
