// Xen 3.1 SEDF (simple EDF plus extra time), after xen/common/sched_sedf.c at
// tag 3.1.0-branched: sedf_do_schedule, desched_edf_dom, desched_extra_dom,
// update_queues, sedf_do_extra_schedule, sedf_wake, sedf_sleep, should_switch.
// Per-PCPU queues only: no load balancing and no periodic tick.
import type { HostView, PickResult, PolicyStats, Priority, SchedPolicy, SchedVcpu, SedfParams, TickResult, WakeResult } from './policy.ts';

/** sedf_init_vcpu's parameters for Dom0: "75% guaranteed (15ms every 20ms)". */
export const SEDF_INIT_DOM0: SedfParams = { periodNs: 20_000_000, sliceNs: 15_000_000, extratime: true };
/** sedf_init_vcpu's parameters for other domains: "best-effort extratime only" (WEIGHT_PERIOD, slice 0). */
export const SEDF_INIT_OTHER: SedfParams = { periodNs: 100_000_000, sliceNs: 0, extratime: true };
/** sedf_adjust's bounds on what `xm sched-sedf` may set: PERIOD_MIN, PERIOD_MAX, SLICE_MIN. */
export const SEDF_PERIOD_MIN_NS = 10_000;
export const SEDF_PERIOD_MAX_NS = 10_000_000_000;
export const SEDF_SLICE_MIN_NS = 5_000;

/** EXTRA_QUANTUM: extra time is handed out in 500 µs pieces. */
export const EXTRA_QUANTUM_NS = 500_000;
/** sedf_do_schedule runs idle for SECONDS(1) when nothing is queued at all. */
export const SEDF_IDLE_NS = 1_000_000_000;
/** sedf_init_vcpu: "every VCPU gets an equal share of extratime by default". */
const DEFAULT_EXTRAWEIGHT = 1;
/** Extra queue indices: L0 penalty (EXTRA_PEN_Q) and L1 utilisation (EXTRA_UTIL_Q). */
export const PEN_Q = 0;
export const UTIL_Q = 1;
type ExtraQ = typeof PEN_Q | typeof UTIL_Q;

/** struct sedf_vcpu_info, minus the latency-scaling and statistics fields. */
export interface SedfVcpu {
  periodNs: number;
  sliceNs: number;
  extraAware: boolean; // EXTRA_AWARE: may take L1 extra time
  extraWeight: number; // 0 after sedf_adjust: L1 by utilisation
  deadlNs: number; // deadl_abs; 0 = not set yet (sedf_wake sets it on the first wake)
  cputimeNs: number; // EDF time used this period (a slice overrun carries over, as in Xen)
  asleep: boolean; // SEDF_ASLEEP
  blockNs: number | null; // block_abs; null = never blocked (Xen tests block_abs != 0)
  extraRun: ExtraQ | null; // EXTRA_RUN_PEN / EXTRA_RUN_UTIL; null when running EDF
  wantPen: boolean; // EXTRA_WANT_PEN_Q
  score: [number, number]; // score[L0], score[L1]: lower runs first
  shortBlockLostNs: number; // short_block_lost_tot
  q: 'run' | 'wait' | null; // the list it sits on (inf->list); null = blocked
}

interface SedfCpu {
  runq: number[]; // released VCPUs by deadline; the running EDF VCPU stays at its head
  waitq: number[]; // VCPUs waiting for their next release (PERIOD_BEGIN), by release
  extraq: [number[], number[]]; // L0, L1 by score; a VCPU running extra time stays at its head
  sliceExpiresNs: number; // current_slice_expires
}

/** DIV_UP for positive integers. */
const divUp = (x: number, y: number) => Math.floor((x + y - 1) / y);

export class SedfPolicy implements SchedPolicy {
  readonly name = 'sedf';
  /** SEDF has no tick: the PCPU reschedules when the returned slice ends. */
  readonly tickNs = null;
  private view!: HostView;
  readonly vc: SedfVcpu[] = [];
  private cpu: SedfCpu[] = [];

  init(view: HostView): void {
    this.view = view;
    this.cpu = Array.from({ length: view.topology.pcpuCount }, () => ({ runq: [], waitq: [], extraq: [[], []], sliceExpiresNs: 0 }));
    for (const v of view.vcpus) {
      const p = view.domains[v.domId]!.sedf;
      if (p.periodNs <= 0 || p.sliceNs < 0 || p.sliceNs > p.periodNs || (p.extraWeight === 0 && p.sliceNs <= 0)) throw new Error(`sedf: bad period/slice for VCPU ${v.id}`);
      // sedf_init_vcpu: starts asleep; it joins the queues on its first wake.
      this.vc[v.id] = {
        periodNs: p.periodNs, sliceNs: p.sliceNs, extraAware: p.extratime, extraWeight: p.extraWeight ?? DEFAULT_EXTRAWEIGHT, deadlNs: 0, cputimeNs: 0, asleep: true,
        blockNs: null, extraRun: null, wantPen: false, score: [0, 0], shortBlockLostNs: 0, q: null,
      };
    }
  }

  /** PERIOD_BEGIN: the release of the period whose deadline is deadl_abs. */
  periodBeginNs(vid: number): number {
    const s = this.vc[vid]!;
    return s.deadlNs - s.periodNs;
  }

  /** UNDER = released with EDF time left (runq); OVER = waits for its release but may take extra time. */
  priority(v: SchedVcpu): Priority {
    const s = this.vc[v.id]!;
    if (s.q === 'run') return 'UNDER';
    if (s.q === 'wait' && (this.extraqOn(v.id, UTIL_Q) || this.extraqOn(v.id, PEN_Q))) return 'OVER';
    return 'IDLE';
  }

  credit(_v: SchedVcpu): number { return 0; }

  /** Runnable VCPUs queued on the PCPU (runq + waitq), not counting the one running there. */
  runqLength(pcpu: number): number {
    const c = this.cpu[pcpu]!;
    const cur = this.view.current(pcpu);
    const n = c.runq.length + c.waitq.length;
    return cur !== null && this.vc[cur.id]!.q !== null ? n - 1 : n;
  }

  stats(): PolicyStats { return { boosts: 0, creditStolen: 0 }; }

  tick(_pcpu: number, _nowNs: number): TickResult { return { tickle: [] }; }

  // ---- queues (list_insert_sort: after every entry with an equal key, so FIFO among equals) ----

  private cpuOf(vid: number): SedfCpu {
    return this.cpu[this.view.vcpus[vid]!.processor]!;
  }

  private insertSorted(q: number[], vid: number, key: (id: number) => number): void {
    const k = key(vid);
    let i = 0;
    while (i < q.length && key(q[i]!) <= k) i++;
    q.splice(i, 0, vid);
  }

  /** __add_to_runqueue_sort (by deadline) / __add_to_waitqueue_sort (by release). */
  private enqueue(vid: number, which: 'run' | 'wait'): void {
    const c = this.cpuOf(vid);
    if (which === 'run') this.insertSorted(c.runq, vid, (id) => this.vc[id]!.deadlNs);
    else this.insertSorted(c.waitq, vid, (id) => this.periodBeginNs(id));
    this.vc[vid]!.q = which;
  }

  /** __del_from_queue. */
  private dequeue(vid: number): void {
    const s = this.vc[vid]!;
    if (s.q === null) return;
    const q = s.q === 'run' ? this.cpuOf(vid).runq : this.cpuOf(vid).waitq;
    q.splice(q.indexOf(vid), 1);
    s.q = null;
  }

  private extraqOn(vid: number, i: ExtraQ): boolean {
    return this.cpuOf(vid).extraq[i].includes(vid);
  }

  /** extraq_del (a no-op when not queued, which Xen checks with extraq_on first). */
  private extraqDel(vid: number, i: ExtraQ): void {
    const q = this.cpuOf(vid).extraq[i];
    if (q.includes(vid)) q.splice(q.indexOf(vid), 1);
  }

  /**
   * extraq_add_sort_update: insert by score (before the first strictly higher
   * one) and subtract `sub` from every other entry, so scores stay small; a
   * VCPU that just ran is charged its old score, which makes equal weights
   * round-robin.
   */
  private extraqAddSortUpdate(vid: number, i: ExtraQ, sub: number): void {
    const q = this.cpuOf(vid).extraq[i];
    const mine = this.vc[vid]!.score[i];
    let at = q.length;
    for (let k = 0; k < q.length; k++) {
      const o = this.vc[q[k]!]!;
      o.score[i] -= sub;
      if (mine < o.score[i]) {
        at = k;
        // Xen keeps charging the rest of the list after the hole.
        for (let r = k + 1; r < q.length; r++) this.vc[q[r]!]!.score[i] -= sub;
        break;
      }
    }
    q.splice(at, 0, vid);
  }

  // ---- wake / sleep ----

  /** sedf_sleep: a queued VCPU leaves every queue; the running one is handled by sedf_do_schedule. */
  sleep(v: SchedVcpu, _nowNs: number): TickResult {
    const s = this.vc[v.id]!;
    s.asleep = true;
    if (this.view.current(v.processor)?.id === v.id) return { tickle: [v.processor] };
    this.dequeue(v.id);
    this.extraqDel(v.id, UTIL_Q);
    this.extraqDel(v.id, PEN_Q);
    return { tickle: [] };
  }

  /** sedf_wake: pick the unblock case, queue by release, tickle only if should_switch says so. */
  wake(v: SchedVcpu, nowNs: number, _waker: SchedVcpu | null): WakeResult {
    const s = this.vc[v.id]!;
    if (s.q !== null) {
      // Still queued: running, or blocked and woken before its PCPU descheduled
      // it. Xen returns without clearing SEDF_ASLEEP, which would strand a
      // runnable VCPU in this emulator; we clear it so the pending
      // sedf_do_schedule keeps it.
      s.asleep = false;
      return { tickle: [], boosted: false };
    }
    s.asleep = false;
    // Initial deadline: now + slice (sic, not period), as in sedf_wake.
    if (s.deadlNs === 0) s.deadlNs = nowNs + s.sliceNs;
    if (nowNs < this.periodBeginNs(v.id)) {
      // Unblocked in extra time (before its next release): only the extra queues change.
      if (s.wantPen) this.extraqAddSortUpdate(v.id, PEN_Q, 0);
    } else if (nowNs < s.deadlNs) {
      this.unblockShortExtraSupport(v.id);
    } else {
      // unblock_long_cons_b: the wake starts a new period.
      s.deadlNs = nowNs + s.periodNs;
      s.cputimeNs = 0;
    }
    // extraq_check_add_unblocked.
    if (s.extraAware) this.extraqAddSortUpdate(v.id, UTIL_Q, 0);
    this.enqueue(v.id, this.periodBeginNs(v.id) > nowNs ? 'wait' : 'run');
    return { tickle: this.shouldSwitch(v) ? [v.processor] : [], boosted: false };
  }

  /**
   * unblock_short_extra_support: woken before its deadline, the VCPU gives up
   * the rest of this period's slice; the lost time buys it L0 priority, score
   * (period<<10)/lost, and it gets a fresh slice from the next release.
   */
  private unblockShortExtraSupport(vid: number): void {
    const s = this.vc[vid]!;
    s.deadlNs += s.periodNs;
    if (s.blockNs !== null) {
      s.shortBlockLostNs = Math.max(0, s.sliceNs - s.cputimeNs);
      if (s.shortBlockLostNs > 0) {
        s.score[PEN_Q] = Math.floor((s.periodNs * 1024) / s.shortBlockLostNs);
        if (this.extraqOn(vid, PEN_Q)) this.extraqDel(vid, PEN_Q);
        else s.wantPen = true;
        this.extraqAddSortUpdate(vid, PEN_Q, 0);
      }
    }
    s.cputimeNs = 0;
  }

  /**
   * should_switch: reschedule if the wakee is released before the current
   * slice expires; otherwise EDF is never interrupted, L0 extra time only by a
   * lower L0 score, L1 extra time only by a VCPU that wants L0, idle always.
   */
  private shouldSwitch(v: SchedVcpu): boolean {
    const cur = this.view.current(v.processor);
    if (cur === null) return true;
    const other = this.vc[v.id]!;
    if (this.periodBeginNs(v.id) < this.cpu[v.processor]!.sliceExpiresNs) return true;
    const c = this.vc[cur.id]!;
    if (c.extraRun === null) return false;
    if (c.extraRun === PEN_Q) return other.wantPen && other.score[PEN_Q] < c.score[PEN_Q];
    return other.wantPen;
  }

  // ---- sedf_do_schedule ----

  schedule(pcpu: number, prev: SchedVcpu | null, prevRunnable: boolean, nowNs: number, ranNs: number): PickResult {
    if (prev !== null) {
      const s = this.vc[prev.id]!;
      // A VCPU woken again before this call (runState 'runnable') still wants to run.
      if (!prevRunnable && prev.runState !== 'runnable') s.asleep = true;
      if (s.asleep) s.blockNs = nowNs;
      if (s.extraRun !== null) this.deschedExtra(prev.id);
      else this.deschedEdf(prev.id, ranNs);
    }
    this.updateQueues(pcpu, nowNs);
    const c = this.cpu[pcpu]!;
    let next: number | null = null;
    let sliceNs: number;
    const runHead = c.runq[0];
    const waitHead = c.waitq[0];
    if (runHead !== undefined) {
      // EDF: earliest deadline, until its slice is used or the next release.
      const s = this.vc[runHead]!;
      next = runHead;
      sliceNs = s.sliceNs - s.cputimeNs;
      if (waitHead !== undefined) sliceNs = Math.min(sliceNs, this.periodBeginNs(waitHead) - nowNs);
    } else if (waitHead !== undefined) {
      ({ next, sliceNs } = this.extraPick(c, this.periodBeginNs(waitHead) - nowNs));
    } else {
      sliceNs = SEDF_IDLE_NS;
    }
    // "Ouch! We are seriously BEHIND schedule!"
    if (sliceNs < 0) sliceNs = EXTRA_QUANTUM_NS;
    c.sliceExpiresNs = nowNs + sliceNs;
    return { next: next === null ? null : this.view.vcpus[next]!, sliceNs };
  }

  /** sedf_do_extra_schedule: a 500 µs quantum from L0, else L1, if a whole one fits before the next release. */
  private extraPick(c: SedfCpu, untilReleaseNs: number): { next: number | null; sliceNs: number } {
    if (untilReleaseNs >= EXTRA_QUANTUM_NS) {
      for (const i of [PEN_Q, UTIL_Q] as const) {
        const head = c.extraq[i][0];
        if (head === undefined) continue;
        this.vc[head]!.extraRun = i;
        return { next: head, sliceNs: EXTRA_QUANTUM_NS };
      }
    }
    return { next: null, sliceNs: untilReleaseNs };
  }

  /**
   * desched_edf_dom: charge the run; a VCPU with slice left stays at the head
   * of the runq. Otherwise the overrun carries into the next period and a
   * runnable VCPU waits for its next release.
   */
  private deschedEdf(vid: number, ranNs: number): void {
    const s = this.vc[vid]!;
    s.cputimeNs += ranNs;
    if (s.cputimeNs < s.sliceNs && !s.asleep) return;
    this.dequeue(vid);
    if (s.cputimeNs >= s.sliceNs) {
      s.cputimeNs -= s.sliceNs;
      s.deadlNs += s.periodNs;
    }
    if (!s.asleep) {
      this.enqueue(vid, 'wait');
    } else {
      this.extraqDel(vid, PEN_Q);
      this.extraqDel(vid, UTIL_Q);
    }
  }

  /** desched_extra_dom: leave the head of the extra queue and re-sort by the new score. */
  private deschedExtra(vid: number): void {
    const s = this.vc[vid]!;
    const i = s.extraRun!;
    s.extraRun = null;
    s.cputimeNs = 0;
    this.extraqDel(vid, i);
    const oldScore = s.score[i];
    if (i === PEN_Q) {
      // 3.1 compiles out the "short_block_lost_tot <= 0" test (#if 0: else
      // Dom0 could take the CPU for seconds): one L0 quantum settles it.
      s.shortBlockLostNs = 0;
      s.wantPen = false;
    } else {
      // The integer arithmetic of sched_sedf.c (s_time_t period and slice in ns).
      s.score[UTIL_Q] = s.extraWeight === 0 ? Math.floor((s.periodNs * 1024) / s.sliceNs) : Math.floor((1 << 17) / s.extraWeight);
    }
    if (!s.asleep) {
      if ((s.extraAware && i === UTIL_Q) || (s.wantPen && i === PEN_Q)) this.extraqAddSortUpdate(vid, i, oldScore);
    } else {
      this.dequeue(vid);
      this.extraqDel(vid, i === PEN_Q ? UTIL_Q : PEN_Q);
    }
  }

  /**
   * update_queues: released waiters join the runq; then, from the runq head,
   * zero-slice VCPUs move to their next future period and VCPUs that missed
   * their deadline (or overran) get a fresh slice in a period aligned to now.
   */
  private updateQueues(pcpu: number, nowNs: number): void {
    const c = this.cpu[pcpu]!;
    while (c.waitq.length > 0 && this.periodBeginNs(c.waitq[0]!) <= nowNs) {
      const vid = c.waitq[0]!;
      this.dequeue(vid);
      this.enqueue(vid, 'run');
    }
    while (c.runq.length > 0) {
      const vid = c.runq[0]!;
      const s = this.vc[vid]!;
      if (s.sliceNs === 0) {
        this.dequeue(vid);
        s.deadlNs += s.periodNs;
        const pb = this.periodBeginNs(vid);
        if (pb < nowNs) s.deadlNs += divUp(nowNs - pb, s.periodNs) * s.periodNs;
        this.enqueue(vid, 'wait');
      } else if (s.deadlNs < nowNs || s.cputimeNs > s.sliceNs) {
        this.dequeue(vid);
        s.deadlNs += s.periodNs;
        if (s.deadlNs < nowNs) s.deadlNs += divUp(nowNs - s.deadlNs, s.periodNs) * s.periodNs;
        s.cputimeNs = 0;
        this.enqueue(vid, this.periodBeginNs(vid) > nowNs ? 'wait' : 'run');
      } else {
        break;
      }
    }
  }
}
