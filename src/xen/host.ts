// Xen host runtime: PCPU and VCPU actors, the policy's decisions carried out
// (schedule softirq, context switches, slices, ticks, migrations, parking),
// and the execution model: work advances in cycles only while a PCPU runs the
// VCPU (xen/common/schedule.c: __enter_scheduler, vcpu_wake, vcpu_migrate).
import { createPcpuMachine } from '../../actors/pcpu.ts';
import { createVcpuMachine } from '../../actors/vcpu.ts';
import { actorId } from '../kernel/model.ts';
import type { Sim } from '../kernel/sim.ts';
import { XStateActor } from '../kernel/xstateHost.ts';
import type { PcpuRt, VcpuRt, XenHostSpec } from './hostRecords.ts';
import type { HostView, SchedDomain, SchedPolicy, SchedVcpu } from './sched/policy.ts';
import { Topology, type Distance } from './topology.ts';
import { TraceRecorder } from './trace.ts';
import { GuestWork, type WorkContext } from './work.ts';
import { HostStats } from './hostStats.ts';
import { NET_ACTOR_BASE, pcpuActorIndex, vcpuActorIndex } from './actorLayout.ts';

export type { DomainSpec, VcpuRt, XenCosts, XenHostSpec } from './hostRecords.ts';

// Events without data, made once: the runner keeps no event, so they can be shared.
const TICK = { type: 'TICK' } as const;
const DESCHEDULE = { type: 'DESCHEDULE' } as const;
const BLOCK = { type: 'BLOCK' } as const;
const PAUSE = { type: 'PAUSE' } as const;
const UNPAUSE = { type: 'UNPAUSE' } as const;
const SWITCH_RUNNING = { type: 'SWITCH', running: true } as const;
const SWITCH_IDLE = { type: 'SWITCH', running: false } as const;

export class XenHost implements HostView {
  readonly topology: Topology;
  readonly vcpus: VcpuRt[] = [];
  readonly domains: SchedDomain[] = [];
  readonly stats: HostStats;
  /** Opt B's credit moved per domain before the measurement began (warm-up), so results count the measured part. */
  creditStolenBeforeMeasure: number[] = [];
  readonly trace: TraceRecorder | null;
  private readonly pcpus: PcpuRt[] = [];

  constructor(
    readonly sim: Sim,
    readonly hostIndex: number,
    readonly spec: XenHostSpec,
    readonly policy: SchedPolicy,
    opts: { trace: boolean; perVcpuMetrics: boolean; guestsMetricLabel?: string | null },
  ) {
    this.topology = new Topology(spec.topology);
    this.trace = opts.trace ? new TraceRecorder(hostIndex, spec.name, this.topology.pcpuCount) : null;
    spec.domains.forEach((d, domId) => {
      const dom: SchedDomain = { id: domId, name: d.name, weight: d.weight, cap: d.cap, vcpus: [], sedf: d.sedf };
      this.domains.push(dom);
      for (let i = 0; i < d.vcpus; i++) {
        const id = this.vcpus.length;
        dom.vcpus.push(id);
        this.vcpus.push(this.makeVcpu(id, dom, i, d.placement[i]!, d.affinity[i] ?? null));
      }
    });
    this.stats = new HostStats(sim, spec.name, this.topology, this.domains, this.vcpus, opts.perVcpuMetrics, opts.guestsMetricLabel ?? null);
    for (let p = 0; p < this.topology.pcpuCount; p++) this.pcpus.push(this.makePcpu(p));
    policy.init(this);
    if (policy.tickNs !== null) this.startTicks(policy.tickNs);
    // Every PCPU enters the scheduler once at boot; from then on even an idle
    // PCPU re-runs it when its slice timer expires (and may steal work then).
    for (const pc of this.pcpus) this.raiseSchedule(pc.id);
  }

  current(pcpu: number): SchedVcpu | null {
    return this.pcpus[pcpu]!.current;
  }

  localActorId(local: number): number {
    return actorId(this.hostIndex, local);
  }

  private makeVcpu(id: number, dom: SchedDomain, index: number, placement: number, affinity: number[] | null): VcpuRt {
    const aid = this.localActorId(vcpuActorIndex(id));
    const v = { id, domId: dom.id, index, processor: placement, affinity, runState: 'blocked', name: `${dom.name}.v${index}`, dom, guest: new GuestWork(), paused: false, wokenAtNs: null, runStartNs: 0, schedStartNs: 0 } as unknown as VcpuRt;
    const machine = createVcpuMachine({
      wake: (waker) => this.doWake(v, waker < 0 ? null : this.vcpus[waker]!),
      sleep: () => this.raiseAll(this.policy.sleep(v, this.sim.nowNs).tickle),
      wantsCpu: () => v.guest.wantsCpu(),
      dequeue: () => this.policy.sleep(v, this.sim.nowNs),
      setState: (s) => (v.runState = s),
    });
    v.actor = this.sim.register(new XStateActor(aid, this.sim, machine));
    return v;
  }

  private makePcpu(p: number): PcpuRt {
    const aid = this.localActorId(pcpuActorIndex(p));
    const pc = { id: p, actorId: aid, current: null, softirqPending: false, scheduling: false, idleSinceNs: 0, sliceTimer: null, completion: null, execStartNs: 0, overheadCycles: 0, loaded: null, work: { nowNs: 0, pcpu: p } } as unknown as PcpuRt;
    const machine = createPcpuMachine({ tick: () => this.doTick(pc) });
    pc.actor = this.sim.register(new XStateActor(aid, this.sim, machine));
    return pc;
  }

  private tickNs = 0;

  private startTicks(tickNs: number): void {
    // Xen arms each PCPU's ticker when that CPU comes up: phases are unsynchronised.
    this.tickNs = tickNs;
    const rng = this.sim.rng(this.localActorId(NET_ACTOR_BASE - 1));
    for (const pc of this.pcpus) this.sim.call(pc.actorId, 1 + rng.int(tickNs), this, 'tickTimer', pc.id);
  }

  /** A PCPU's periodic scheduler tick (timer). */
  tickTimer(p: number): void {
    const pc = this.pcpus[p]!;
    pc.actor.send(TICK);
    this.sim.call(pc.actorId, this.tickNs, this, 'tickTimer', p);
  }

  /** Raise SCHEDULE_SOFTIRQ on a PCPU (deduplicated like the softirq bit). */
  raiseSchedule(p: number): void {
    const pc = this.pcpus[p]!;
    if (pc.softirqPending) return;
    pc.softirqPending = true;
    // Raised from inside doSchedule (before its switch has started): doSchedule times it at its end.
    if (pc.scheduling) return;
    this.callSoftirq(pc);
  }

  private callSoftirq(pc: PcpuRt): void {
    // schedule() switches with interrupts off (context_switch): a reschedule raised during the switch runs
    // once it is done, so a started switch is always paid in full.
    const switchLeftNs = pc.completion && pc.overheadCycles > 0 ? pc.execStartNs + this.topology.cyclesToNs(pc.overheadCycles) - this.sim.nowNs : 0;
    this.sim.call(pc.actorId, Math.max(0, switchLeftNs), this, 'scheduleSoftirq', pc.id);
  }

  /** The schedule softirq runs (timer). */
  scheduleSoftirq(p: number): void {
    this.doSchedule(this.pcpus[p]!);
  }

  /** A PCPU's slice ended (timer). */
  sliceEnd(p: number): void {
    this.pcpus[p]!.sliceTimer = null;
    this.raiseSchedule(p);
  }

  /** The current item's cycles are spent (timer). */
  itemDone(p: number): void {
    this.complete(this.pcpus[p]!);
  }

  private raiseAll(pcpus: readonly number[]): void {
    for (const p of pcpus) this.raiseSchedule(p);
  }

  /** Event-channel notification: wakes the VCPU if it is blocked (evtchn_set_pending → vcpu_kick). */
  notify(vcpuId: number, wakerVcpuId: number | null): void {
    const v = this.vcpus[vcpuId]!;
    if (wakerVcpuId !== null && wakerVcpuId !== vcpuId) this.policy.ioEvent?.(this.vcpus[wakerVcpuId]!, v);
    if (v.runState === 'blocked' && !v.paused) v.actor.send({ type: 'NOTIFY', waker: wakerVcpuId ?? -1 });
    else if (v.runState === 'running') this.interrupt(this.pcpus[v.processor]!);
  }

  /** The upcall preempts the item running on the PCPU (if a handler is pending and the item is not one). */
  private interrupt(pc: PcpuRt): void {
    const v = pc.current;
    if (!v || !pc.completion || !v.guest.irqPreempts()) return;
    this.stopExec(pc);
    this.startExec(pc);
  }

  private doWake(v: VcpuRt, waker: VcpuRt | null): void {
    const now = this.sim.nowNs;
    v.wokenAtNs = now;
    const from = v.processor;
    const res = this.policy.wake(v, now, waker);
    // A policy that places the wakee elsewhere (Opt A's L2 placement) migrates it, as vcpu_migrate would.
    if (v.processor !== from) this.moved(v, from, v.processor);
    this.stats.wakeup(v, res.boosted);
    this.trace?.instant(v.processor, `wake ${v.name}${res.boosted ? ' (BOOST)' : ''}`, now, { waker: waker?.name ?? null });
    this.raiseAll(res.tickle);
  }

  /** __enter_scheduler on one PCPU (the schedule softirq handler). */
  private doSchedule(pc: PcpuRt): void {
    pc.softirqPending = false;
    pc.scheduling = true;
    const now = this.sim.nowNs;
    const prev = pc.current;
    let ranNs = 0;
    let prevRunnable = false;
    if (prev) {
      this.stopExec(pc);
      ranNs = now - prev.schedStartNs;
      // 'runnable': it blocked and was woken again before this schedule ran (the policy's wake left it here).
      prevRunnable = (prev.runState === 'running' || prev.runState === 'runnable') && !prev.paused && prev.guest.wantsCpu();
    }
    const pick = this.policy.schedule(pc.id, prev, prevRunnable, now, ranNs);
    const next = pick.next as VcpuRt | null;
    if (prev && next !== prev) {
      this.stats.ran(prev, pc.id, prev.runStartNs, now);
      this.trace?.run(pc.id, prev.name, prev.runStartNs, now, { pri: this.policy.priority(prev) });
      if (prevRunnable) prev.actor.send(DESCHEDULE);
      // context_saved → vcpu_migrate when _VPF_migrating was set (credit's tick check): after the switch, so
      // prev is no longer this PCPU's curr when it is woken on its new one.
      pc.current = next;
      const target = this.policy.migrateTarget?.(prev);
      if (target !== undefined) this.migrate(prev, target, prevRunnable);
    }
    if (next) {
      if (next.processor !== pc.id) this.moved(next, next.processor, pc.id);
      next.processor = pc.id;
      if (next === prev) {
        this.stats.ran(prev, pc.id, prev.runStartNs, now);
        this.trace?.run(pc.id, prev.name, prev.runStartNs, now, { pri: this.policy.priority(prev) });
      } else if (next !== pc.loaded) {
        // context_switch: __context_switch only when another VCPU's state is loaded here; after idle, the
        // same VCPU resumes for free. Its state held lazily on another PCPU is synced away (that PCPU idles).
        for (const q of this.pcpus) if (q.loaded === next) q.loaded = null;
        this.stats.contextSwitch(next);
        pc.overheadCycles = this.spec.costs.contextSwitchCycles;
        pc.loaded = next;
      }
      if (next.runState !== 'running') next.actor.send({ type: 'RUN', pcpu: pc.id });
      if (next.wokenAtNs !== null) {
        this.stats.wakeLatency(next, now - next.wokenAtNs);
        next.wokenAtNs = null;
      }
      next.runStartNs = now;
      next.schedStartNs = now;
    }
    if ((prev === null) !== (next === null)) {
      pc.actor.send(next !== null ? SWITCH_RUNNING : SWITCH_IDLE);
      if (next === null) pc.idleSinceNs = now;
      else this.trace?.run(pc.id, 'idle', pc.idleSinceNs, now, { idle: true });
    }
    pc.current = next;
    if (pc.sliceTimer) this.sim.cancel(pc.sliceTimer);
    pc.sliceTimer = this.sim.call(pc.actorId, Math.max(1, pick.sliceNs), this, 'sliceEnd', pc.id);
    if (next) this.startExec(pc);
    pc.scheduling = false;
    // A reschedule raised above (context_saved's vcpu_migrate tickling this PCPU) runs after the switch.
    if (pc.softirqPending) this.callSoftirq(pc);
  }

  /** vcpu_migrate after _VPF_migrating: move to the policy's PCPU and wake there (UNDER → BOOST). */
  private migrate(v: VcpuRt, target: number, runnable: boolean): void {
    if (target !== v.processor) {
      this.moved(v, v.processor, target);
      v.processor = target;
    }
    if (!runnable) return;
    const res = this.policy.wake(v, this.sim.nowNs, null);
    this.stats.wakeup(v, res.boosted, false);
    this.raiseAll(res.tickle);
  }

  private moved(v: VcpuRt, from: number, to: number): void {
    const d: Distance = this.topology.distance(from, to);
    if (d === 'same_core') return;
    this.stats.migration(v, d);
    this.trace?.instant(to, `migrate ${v.name} ${from}→${to}`, this.sim.nowNs, { distance: d });
  }

  private doTick(pc: PcpuRt): void {
    const res = this.policy.tick(pc.id, this.sim.nowNs);
    this.raiseAll(res.tickle);
    this.applyParking();
  }

  /** Sample gauges (run queues, credit) for metrics; busy time of running VCPUs is credited up to now. */
  sampleGauges(): void {
    const now = this.sim.nowNs;
    for (const pc of this.pcpus) if (pc.current) this.stats.ran(pc.current, pc.id, pc.current.runStartNs, now);
    this.stats.sample(this.policy, this.pcpus.length);
    for (const d of this.domains) {
      let sum = 0;
      for (const vid of d.vcpus) {
        const c = this.policy.credit(this.vcpus[vid]!);
        sum += c;
        this.stats.sampleVcpuCredit(vid, c);
      }
      this.stats.sampleCredit(d.id, sum);
    }
  }

  private applyParking(): void {
    const changes = (this.policy as { parkedChanges?: { vcpu: number; parked: boolean }[] }).parkedChanges;
    if (!changes || changes.length === 0) return;
    for (const { vcpu, parked } of changes.splice(0)) {
      const v = this.vcpus[vcpu]!;
      v.paused = parked;
      v.actor.send(parked ? PAUSE : UNPAUSE);
      if (!parked) this.policy.unparked?.(v);
    }
  }

  // ---- execution model -------------------------------------------------

  private ctx(pc: PcpuRt): WorkContext {
    pc.work.nowNs = this.sim.nowNs;
    return pc.work;
  }

  /** Run the current VCPU's work: the current item, or the next one; block if none. */
  private startExec(pc: PcpuRt): void {
    const v = pc.current!;
    pc.work.nowNs = this.sim.nowNs; // this.ctx(pc), written out
    // An upcall that came while the VCPU was descheduled runs before its item goes on (Xen delivers it on return to the guest).
    if (v.guest.irqPreempts()) v.guest.suspendCurrent();
    if (!v.guest.current && !v.guest.takeNext(pc.work)) {
      if (pc.overheadCycles > 0) {
        this.stats.cycles('ctxsw', pc.overheadCycles, 0, v);
        pc.overheadCycles = 0;
      }
      v.actor.send(BLOCK);
      return;
    }
    pc.execStartNs = this.sim.nowNs;
    const totalCycles = pc.overheadCycles + v.guest.remainingCycles;
    pc.completion = this.sim.call(pc.actorId, this.topology.cyclesToNs(totalCycles), this, 'itemDone', pc.id);
  }

  /** Preemption: account the cycles done so far; the item resumes later. */
  private stopExec(pc: PcpuRt): void {
    if (!pc.completion) return;
    this.sim.cancel(pc.completion);
    pc.completion = null;
    const v = pc.current!;
    let done = this.topology.nsToCycles(this.sim.nowNs - pc.execStartNs);
    const ovh = Math.min(done, pc.overheadCycles);
    if (ovh > 0) this.stats.cycles('ctxsw', ovh, 0, v);
    pc.overheadCycles -= ovh;
    done -= ovh;
    const item = v.guest.current;
    if (item && done > 0) {
      const step = Math.min(done, v.guest.remainingCycles);
      v.guest.remainingCycles -= step;
      this.charge(v, step, false);
    }
  }

  /** Charge executed cycles of the current item to its parts, proportionally; packets count when it finishes. */
  private charge(v: VcpuRt, cycles: number, finished: boolean): void {
    const item = v.guest.current!;
    const total = v.guest.currentCycles;
    if (item.parts.length === 1) {
      const p = item.parts[0]!;
      this.stats.cycles(p.component, cycles, finished ? p.packets : 0, v);
      return;
    }
    for (const p of item.parts) this.stats.cycles(p.component, total > 0 ? (cycles * p.cycles) / total : 0, finished ? p.packets : 0, v);
  }

  private complete(pc: PcpuRt): void {
    pc.completion = null;
    const v = pc.current!;
    const item = v.guest.current!;
    if (pc.overheadCycles > 0) this.stats.cycles('ctxsw', pc.overheadCycles, 0, v);
    pc.overheadCycles = 0;
    this.charge(v, v.guest.remainingCycles, true);
    v.guest.current = null;
    v.guest.remainingCycles = 0;
    item.source.complete(item, this.ctx(pc));
    if (pc.current === v && v.runState === 'running') this.startExec(pc);
  }

  /**
   * Start measuring afresh (end of warm-up): close open intervals, zero the counters. `beforeZero` runs
   * between the two, with every counter complete up to now (metric samplers push what they would lose).
   */
  resetStats(beforeZero?: () => void): void {
    this.finish(this.sim.nowNs);
    beforeZero?.();
    this.creditStolenBeforeMeasure = this.domains.map((d) => this.policy.creditStolenBy?.(d.id) ?? 0);
    this.stats.reset();
  }

  /** Close open run intervals for results at the end of the run. */
  finish(endNs: number): void {
    for (const pc of this.pcpus) {
      const v = pc.current;
      if (!v) {
        this.trace?.run(pc.id, 'idle', pc.idleSinceNs, endNs, { idle: true });
        pc.idleSinceNs = endNs;
        continue;
      }
      // Charge the cycles of the item in progress, then let it go on.
      if (pc.completion) {
        this.stopExec(pc);
        this.startExec(pc);
      }
      this.stats.ran(v, pc.id, v.runStartNs, endNs);
      this.trace?.run(pc.id, v.name, v.runStartNs, endNs, { pri: this.policy.priority(v) });
      v.runStartNs = endNs;
    }
  }

  xstateEvents(): number {
    return this.pcpus.reduce((s, p) => s + p.actor.xstateEvents, 0) + this.vcpus.reduce((s, v) => s + v.actor.xstateEvents, 0);
  }
}
