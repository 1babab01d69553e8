// Synthetic guest workloads for scheduler studies: CPU hogs, I/O-style
// wakeups at intervals, ping-pong through event channels, and the idle Linux
// VCPU's periodic timer wake (NO_IDLE_HZ single-shot timer → VIRQ → BOOST).
import type { Sim } from '../kernel/sim.ts';
import type { XenHost } from './host.ts';
import { work, type WorkItem, type WorkSource } from './work.ts';
import { Every } from '../kernel/timers.ts';

export type WorkloadSpec =
  | { kind: 'idle' }
  | { kind: 'cpu-hog'; chunkCycles: number }
  | { kind: 'io-wake'; intervalNs: number; burstCycles: number }
  | { kind: 'ping-pong'; peer: string; burstCycles: number; eventChannelCycles: number };

/** Always runnable: work in chunks so preemption points are realistic. */
export class CpuHog implements WorkSource<null> {
  readonly name = 'cpu-hog';
  /** Chunks done: a hog's `completed`. */
  completed = 0;
  constructor(private readonly chunkCycles: number) {}
  pending(): boolean {
    return true;
  }
  take(): WorkItem<null> {
    return work(this, 'hog', this.chunkCycles, 0, null);
  }
  complete(): void {
    this.completed++;
  }
}

/** Counts posted bursts; the VCPU runs one item per burst, then blocks. */
export class BurstQueue implements WorkSource<null> {
  bursts = 0;
  completed = 0;
  constructor(
    readonly name: string,
    private readonly component: string,
    private readonly burstCycles: number,
    private readonly onDone: () => void = () => {},
    readonly softirq?: number,
  ) {}
  pending(): boolean {
    return this.bursts > 0;
  }
  take(): WorkItem<null> {
    return work(this, this.component, this.burstCycles, 0, null);
  }
  complete(): void {
    this.bursts--;
    this.completed++;
    this.onDone();
  }
}

/** Wire a workload onto each VCPU of a domain; returns per-workload counters for results. */
export function attachWorkload(sim: Sim, host: XenHost, domName: string, spec: WorkloadSpec, timerActorBase: number): { completed(): number; timers?: Every[] } {
  const dom = host.domains.find((d) => d.name === domName)!;
  const vcpus = dom.vcpus.map((id) => host.vcpus[id]!);
  switch (spec.kind) {
    case 'idle':
      return { completed: () => 0 };
    case 'cpu-hog': {
      const hogs = vcpus.map((v) => {
        const h = new CpuHog(spec.chunkCycles);
        v.guest.addSource(h);
        host.notify(v.id, null);
        return h;
      });
      return { completed: () => hogs.reduce((s, h) => s + h.completed, 0) };
    }
    case 'io-wake': {
      const timers: Every[] = [];
      const queues = vcpus.map((v, i) => {
        const q = new BurstQueue('io-wake', 'io', spec.burstCycles);
        v.guest.addSource(q);
        timers.push(
          new Every(sim, host.localActorId(timerActorBase + i), spec.intervalNs, () => {
            q.bursts++;
            host.notify(v.id, null);
          }),
        );
        return q;
      });
      return { completed: () => queues.reduce((s, q) => s + q.completed, 0), timers };
    }
    case 'ping-pong': {
      const peerDom = host.domains.find((d) => d.name === spec.peer);
      if (!peerDom) throw new Error(`ping-pong peer domain ${spec.peer} not found`);
      const me = vcpus[0]!;
      const peer = host.vcpus[peerDom.vcpus[0]!]!;
      // Each side: run a burst, then send an event to the other (EVTCHNOP_send).
      let mine: BurstQueue;
      const theirs = new BurstQueue('ping-pong', 'pingpong', spec.burstCycles + spec.eventChannelCycles, () => {
        mine.bursts++;
        host.notify(me.id, peer.id);
      });
      mine = new BurstQueue('ping-pong', 'pingpong', spec.burstCycles + spec.eventChannelCycles, () => {
        theirs.bursts++;
        host.notify(peer.id, me.id);
      });
      me.guest.addSource(mine);
      peer.guest.addSource(theirs);
      mine.bursts = 1;
      host.notify(me.id, null);
      return { completed: () => mine.completed + theirs.completed };
    }
  }
}
