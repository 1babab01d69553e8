// The receiving side of the TCP connections in one domain (or native host):
// per-flow TCP receivers, their sockets' unread bytes and the iperf reader
// threads, which run as process-context work on the domain's VCPUs.
import type { Sim } from '../kernel/sim.ts';
import { AckRunBuilder, type AckDecision } from './tcp/ackBatch.ts';
import { TcpReceiver, type TcpReceiverOptions } from './tcp/receiver.ts';
import type { Run } from './packetQueue.ts';

export interface AckOut {
  flow: number;
  decision: AckDecision;
  /** The receiver's last ACK value before this decision: the base of its first batch's equal steps (to split it per packet). */
  fromSeq: number;
}

export class ReceiverStack {
  readonly receivers: TcpReceiver[];
  bytesRead = 0;
  private delackTimers: (ReturnType<Sim['timer']> | null)[];

  constructor(
    private readonly sim: Sim,
    flows: number,
    opts: TcpReceiverOptions,
    private readonly timerActorId: number,
    /** Send ACKs generated outside a poll (delayed-ACK timer, window updates). */
    private readonly sendAcks: (acks: AckOut[]) => void,
  ) {
    this.receivers = Array.from({ length: flows }, () => new TcpReceiver(opts));
    this.delackTimers = new Array(flows).fill(null);
  }

  /** tcp_v4_rcv for a batch of segments; returns the ACKs to send now. */
  deliver(runs: readonly Run[], nowNs: number): AckOut[] {
    const out: AckOut[] = [];
    for (const r of runs) {
      const rx = this.receivers[r.flow]!;
      const fromSeq = rx.lastAckSeq;
      const d = rx.onData(r.seq, r.count, nowNs);
      if (d.ackPackets > 0) out.push({ flow: r.flow, decision: d, fromSeq });
      this.armDelack(r.flow);
    }
    return out;
  }

  private armDelack(flow: number): void {
    const rx = this.receivers[flow]!;
    const at = rx.delackDeadlineNs();
    const cur = this.delackTimers[flow];
    if (cur) {
      if (at !== null && cur.timeNs === at) return;
      this.sim.cancel(cur);
      this.delackTimers[flow] = null;
    }
    if (at === null) return;
    this.delackTimers[flow] = this.sim.call(this.timerActorId, Math.max(0, at - this.sim.nowNs), this, 'delackFire', flow);
  }

  /** A flow's delayed-ACK timer (timer). */
  delackFire(flow: number): void {
    this.delackTimers[flow] = null;
    const fromSeq = this.receivers[flow]!.lastAckSeq;
    const d = this.receivers[flow]!.onDelackTimer(this.sim.nowNs);
    if (d && d.ackPackets > 0) this.sendAcks([{ flow, decision: d, fromSeq }]);
    this.armDelack(flow);
  }

  unreadBytes(flow: number): number {
    return this.receivers[flow]!.unread;
  }

  /** The reader of `flow` reads up to maxBytes; returns bytes read and a window-update ACK if any. */
  read(flow: number, maxBytes: number, nowNs: number): { bytes: number; ack: AckOut | null } {
    const fromSeq = this.receivers[flow]!.lastAckSeq;
    const r = this.receivers[flow]!.read(maxBytes, nowNs);
    this.bytesRead += r.bytes;
    return { bytes: r.bytes, ack: r.ack && r.ack.ackPackets > 0 ? { flow, decision: r.ack, fromSeq } : null };
  }
}

export { AckRunBuilder };
