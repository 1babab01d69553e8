// Xen 3.1 credit scheduler (credit1), after xen/common/sched_credit.c at tag
// 3.1.0-branched: csched_vcpu_wake, csched_vcpu_sleep, csched_schedule,
// csched_load_balance, csched_tick / csched_vcpu_acct, csched_acct,
// csched_runq_sort and csched_cpu_pick. Accounting is sampled: whoever runs
// when a PCPU's 10 ms tick fires pays 100 credits.
import type { HostView, PickResult, PolicyStats, Priority, SchedPolicy, SchedVcpu, TickResult, WakeResult } from './policy.ts';
import { PRI } from './policy.ts';
import { XEN31_CREDIT, type CreditParams } from './creditParams.ts';
import { cschedCpuPick } from './cpuPick.ts';

export interface CreditVcpu {
  pri: number;
  credit: number;
  /** On its domain's active list (earning credit). */
  active: boolean;
  parked: boolean;
  /** _VPF_migrating: csched_vcpu_acct decided it should move. */
  migrating: boolean;
  onRunq: boolean;
}

interface CreditDom {
  weight: number;
  cap: number;
  active: number[];
}

const PRI_NAME: Record<number, Priority> = { [PRI.BOOST]: 'BOOST', [PRI.UNDER]: 'UNDER', [PRI.OVER]: 'OVER', [PRI.IDLE]: 'IDLE' };

export class CreditPolicy implements SchedPolicy {
  readonly name: string = 'credit';
  readonly tickNs: number;
  protected view!: HostView;
  readonly vc: CreditVcpu[] = [];
  protected dom: CreditDom[] = [];
  /** Active domains in list order (csched_priv.active_sdom). */
  protected activeDoms: number[] = [];
  protected runq: number[][] = [];
  protected ticks: number[] = [];
  protected sortEpoch = 0;
  protected cpuSortEpoch: number[] = [];
  protected creditBalance = 0;
  /** Times csched_acct moved a domain to the head of the active list (credit_xtra). */
  acctReorders = 0;
  /** Paused by capping (csched_acct parks them); the runtime must treat them as not runnable. */
  readonly parkedChanges: { vcpu: number; parked: boolean }[] = [];
  protected counters: PolicyStats = { boosts: 0, creditStolen: 0 };

  constructor(readonly params: CreditParams = XEN31_CREDIT) {
    this.tickNs = params.tickNs;
  }

  get sliceNs(): number {
    return this.params.tickNs * this.params.ticksPerSlice;
  }

  /** CSCHED_CREDITS_PER_TSLICE: the floor and the ceiling of a VCPU's credit (300 in 3.1). */
  get creditsPerSlice(): number {
    return this.params.creditsPerTick * this.params.ticksPerSlice;
  }

  /** CSCHED_CREDITS_PER_ACCT: what each PCPU adds to the pool per accounting, a VCPU's peak, the cap's unit (300 in 3.1). */
  get creditsPerAcct(): number {
    return this.params.creditsPerTick * this.params.ticksPerAcct;
  }

  init(view: HostView): void {
    this.view = view;
    const n = view.topology.pcpuCount;
    this.runq = Array.from({ length: n }, () => []);
    this.ticks = new Array(n).fill(0);
    this.cpuSortEpoch = new Array(n).fill(0);
    this.dom = view.domains.map((d) => ({ weight: d.weight, cap: d.cap, active: [] }));
    for (const v of view.vcpus) this.vc[v.id] = { pri: PRI.UNDER, credit: 0, active: false, parked: false, migrating: false, onRunq: false };
  }

  priority(v: SchedVcpu): Priority {
    return PRI_NAME[this.vc[v.id]!.pri]!;
  }

  credit(v: SchedVcpu): number {
    return this.vc[v.id]!.credit;
  }

  runqLength(pcpu: number): number {
    return this.runq[pcpu]!.length;
  }

  stats(): PolicyStats {
    return { ...this.counters };
  }

  isParked(vcpuId: number): boolean {
    return this.vc[vcpuId]!.parked;
  }

  protected curPri(pcpu: number): number {
    const cur = this.view.current(pcpu);
    return cur ? this.vc[cur.id]!.pri : PRI.IDLE;
  }

  /** __runq_insert: after every VCPU of equal or higher priority (FIFO within a priority). */
  protected runqInsert(pcpu: number, vid: number): void {
    const q = this.runq[pcpu]!;
    const pri = this.vc[vid]!.pri;
    let i = 0;
    while (i < q.length && this.vc[q[i]!]!.pri >= pri) i++;
    q.splice(i, 0, vid);
    this.vc[vid]!.onRunq = true;
  }

  protected runqRemove(pcpu: number, vid: number): void {
    const q = this.runq[pcpu]!;
    const i = q.indexOf(vid);
    if (i >= 0) q.splice(i, 1);
    this.vc[vid]!.onRunq = false;
  }

  protected idlers(): number[] {
    const out: number[] = [];
    for (let p = 0; p < this.view.topology.pcpuCount; p++) if (this.view.current(p) === null && this.runq[p]!.length === 0) out.push(p);
    return out;
  }

  protected allowed(v: SchedVcpu, pcpu: number): boolean {
    return v.affinity === null || v.affinity.includes(pcpu);
  }

  /** __runq_tickle: the VCPU's own PCPU if it outranks what runs there; all idlers if that PCPU is busy. */
  protected tickleFor(pcpu: number, v: SchedVcpu): number[] {
    const out: number[] = [];
    const newPri = this.vc[v.id]!.pri;
    const curPri = this.curPri(pcpu);
    if (newPri > curPri) out.push(pcpu);
    if (curPri > PRI.IDLE) {
      for (const p of this.idlers()) if (p !== pcpu && this.allowed(v, p)) out.push(p);
    }
    return out;
  }

  /** per_cpu(schedule_data, v->processor).curr == v. */
  protected isCurrent(v: SchedVcpu): boolean {
    return v.runState === 'running' || this.view.current(v.processor)?.id === v.id;
  }

  /** The host has unpaused a parked VCPU (its wake saw it still parked, so it was not boosted). */
  unparked(v: SchedVcpu): void {
    this.vc[v.id]!.parked = false;
  }

  /**
   * csched_vcpu_wake: nothing if it is its PCPU's curr (running, or blocked and woken again before that
   * PCPU's schedule ran: the pending schedule re-queues it — queued here, an idle PCPU could steal it and
   * run it while its own still did) or already queued; else UNDER becomes BOOST, queue on v->processor, tickle.
   */
  wake(v: SchedVcpu, _nowNs: number, _waker: SchedVcpu | null): WakeResult {
    const s = this.vc[v.id]!;
    if (this.isCurrent(v) || s.onRunq) return { tickle: [], boosted: false };
    let boosted = false;
    if (s.pri === PRI.UNDER && !s.parked) {
      s.pri = PRI.BOOST;
      boosted = true;
      this.counters.boosts++;
    }
    this.runqInsert(v.processor, v.id);
    return { tickle: this.tickleFor(v.processor, v), boosted };
  }

  /** csched_vcpu_sleep: reschedule its PCPU if it runs there, else drop it from the queue. */
  sleep(v: SchedVcpu, _nowNs: number): TickResult {
    const s = this.vc[v.id]!;
    if (this.view.current(v.processor)?.id === v.id) return { tickle: [v.processor] };
    if (s.onRunq) this.runqRemove(v.processor, v.id);
    return { tickle: [] };
  }

  /** csched_schedule. */
  schedule(pcpu: number, prev: SchedVcpu | null, prevRunnable: boolean, _nowNs: number, _ranNs: number): PickResult {
    if (prev && prevRunnable && !this.vc[prev.id]!.parked && !this.vc[prev.id]!.migrating) this.runqInsert(pcpu, prev.id);
    const q = this.runq[pcpu]!;
    const headId = q[0];
    const headPri = headId === undefined ? PRI.IDLE : this.vc[headId]!.pri;
    if (headId !== undefined && headPri > PRI.OVER) {
      this.runqRemove(pcpu, headId);
      return { next: this.view.vcpus[headId]!, sliceNs: this.sliceNs };
    }
    const stolen = this.loadBalance(pcpu, headPri);
    if (stolen) return stolen;
    if (headId !== undefined) {
      this.runqRemove(pcpu, headId);
      return { next: this.view.vcpus[headId]!, sliceNs: this.sliceNs };
    }
    return { next: null, sliceNs: this.sliceNs };
  }

  /** csched_load_balance: peers cyclic from pcpu+1 (no topology), skipping PCPUs that run idle. */
  protected loadBalance(pcpu: number, minPri: number): PickResult | null {
    const n = this.view.topology.pcpuCount;
    for (let k = 1; k < n; k++) {
      const peer = (pcpu + k) % n;
      if (this.view.current(peer) === null) continue;
      const got = this.stealFrom(peer, pcpu, minPri);
      if (got !== null) return { next: this.view.vcpus[got]!, sliceNs: this.sliceNs, stolenFrom: peer };
    }
    return null;
  }

  /** csched_runq_steal: first VCPU above minPri that may run here (priority kept). */
  protected stealFrom(peer: number, pcpu: number, minPri: number): number | null {
    for (const vid of this.runq[peer]!) {
      if (this.vc[vid]!.pri <= minPri) break;
      const v = this.view.vcpus[vid]!;
      if (v.runState === 'running' || !this.allowed(v, pcpu)) continue;
      this.runqRemove(peer, vid);
      return vid;
    }
    return null;
  }

  /** csched_tick on one PCPU. */
  tick(pcpu: number, _nowNs: number): TickResult {
    const tickle: number[] = [];
    this.ticks[pcpu]!++;
    const cur = this.view.current(pcpu);
    if (cur) this.vcpuAcct(cur, pcpu, tickle);
    if (pcpu === 0 && this.ticks[pcpu]! % this.params.ticksPerAcct === 0) this.acct(tickle);
    this.runqSort(pcpu);
    return { tickle };
  }

  /** csched_vcpu_acct. */
  protected vcpuAcct(v: SchedVcpu, pcpu: number, tickle: number[]): void {
    const s = this.vc[v.id]!;
    if (s.pri === PRI.BOOST) s.pri = PRI.UNDER;
    s.credit -= this.params.creditsPerTick;
    if (!s.active) this.acctStart(v);
    else if (this.cpuPick(v) !== pcpu) {
      s.migrating = true;
      tickle.push(pcpu);
    }
  }

  protected acctStart(v: SchedVcpu): void {
    const s = this.vc[v.id]!;
    s.active = true;
    const d = this.dom[v.domId]!;
    // __csched_vcpu_acct_start: list_add puts the VCPU and a newly active domain at the head.
    d.active.unshift(v.id);
    if (d.active.length === 1) this.activeDoms.unshift(v.domId);
  }

  protected acctStop(vid: number, domId: number): void {
    const s = this.vc[vid]!;
    s.active = false;
    const d = this.dom[domId]!;
    d.active.splice(d.active.indexOf(vid), 1);
    if (d.active.length === 0) this.activeDoms.splice(this.activeDoms.indexOf(domId), 1);
  }

  migrateTarget(v: SchedVcpu): number | undefined {
    const s = this.vc[v.id]!;
    if (!s.migrating) return undefined;
    s.migrating = false;
    return this.cpuPick(v);
  }

  isMigrating(vid: number): boolean {
    return this.vc[vid]!.migrating;
  }

  /** csched_cpu_pick (cpuPick.ts). */
  cpuPick(v: SchedVcpu): number {
    return cschedCpuPick(this.view.topology, v.processor, this.idlers(), (p) => this.allowed(v, p));
  }

  /** csched_runq_sort: once per accounting epoch, UNDER/BOOST ahead of OVER, stable. */
  protected runqSort(pcpu: number): void {
    if (this.cpuSortEpoch[pcpu] === this.sortEpoch) return;
    this.cpuSortEpoch[pcpu] = this.sortEpoch;
    const q = this.runq[pcpu]!;
    const under = q.filter((id) => this.vc[id]!.pri > PRI.OVER);
    const over = q.filter((id) => this.vc[id]!.pri <= PRI.OVER);
    this.runq[pcpu] = [...under, ...over];
  }

  /** After a domain's VCPUs got this period's credit, before priorities and clipping (hook for Opt B). */
  protected adjustDomainCredit(_domId: number): void {}

  /** End of an accounting period (hook for the I/O detection of Opts A and B). */
  protected afterAcct(_tickle: number[]): void {}

  /**
   * csched_acct (sched_credit.c, Xen 3.1), as written: the pool is 300 credits
   * per PCPU (plus the debt when the last balance was negative); each active
   * domain, in active-list order, gets its weight's share `credit_fair`,
   * capped by `credit_peak` (what its active VCPUs can burn in a period,
   * raised by its share of a negative balance, lowered by its cap). A domain
   * that cannot use its share hands the excess to the domains after it
   * (credit_total grows), and once some earlier domain could use more
   * (credit_xtra), such a domain moves to the head of the active list so the
   * others get first pick of the leftovers next time. Each active VCPU then
   * gets an equal part, its priority is recomputed, capped domains are parked
   * below -cap, credit is clipped at -300, and a VCPU above 300 leaves the
   * active list with its credit reset to 0.
   */
  protected acct(tickle: number[]): void {
    const perAcct = this.creditsPerAcct;
    const perSlice = this.creditsPerSlice;
    // Xen 3.1 adds a domain's weight once when it becomes active (not per VCPU).
    let weightTotal = 0;
    for (const d of this.activeDoms) weightTotal += this.dom[d]!.weight;
    if (weightTotal === 0) {
      this.creditBalance = 0;
      this.afterAcct(tickle);
      return;
    }
    let creditTotal = perAcct * this.view.topology.pcpuCount;
    const prevBalance = this.creditBalance;
    // "Converge balance towards 0 when it drops negative."
    if (prevBalance < 0) creditTotal -= prevBalance;
    let weightLeft = weightTotal;
    let balance = 0;
    let creditXtra = false;
    for (const domId of [...this.activeDoms]) {
      const d = this.dom[domId]!;
      const nActive = d.active.length;
      if (nActive === 0) continue;
      const w = d.weight;
      weightLeft -= w;
      let peak = nActive * perAcct;
      if (prevBalance < 0) peak += Math.ceil((-prevBalance * w) / weightTotal);
      let capPerVcpu = 0;
      if (d.cap !== 0) {
        const capCredits = Math.ceil((d.cap * perAcct) / 100);
        if (capCredits < peak) peak = capCredits;
        capPerVcpu = Math.ceil(capCredits / nActive);
      }
      let fair = Math.ceil((creditTotal * w) / weightTotal);
      if (fair < peak) {
        creditXtra = true;
      } else {
        // "Give other domains a chance at unused credits."
        if (weightLeft !== 0) creditTotal += Math.ceil(((fair - peak) * weightTotal) / weightLeft);
        if (creditXtra) {
          // "Lazily keep domains with extra credits at the head of the queue."
          this.activeDoms.splice(this.activeDoms.indexOf(domId), 1);
          this.activeDoms.unshift(domId);
          this.acctReorders++;
        }
        fair = peak;
      }
      const perVcpu = Math.ceil(fair / nActive);
      for (const vid of d.active) this.vc[vid]!.credit += perVcpu;
      this.adjustDomainCredit(domId);
      for (const vid of [...d.active]) {
        const s = this.vc[vid]!;
        if (s.credit < 0) {
          s.pri = PRI.OVER;
          if (d.cap !== 0 && s.credit < -capPerVcpu && !s.parked) {
            s.parked = true;
            this.parkedChanges.push({ vcpu: vid, parked: true });
          }
          if (s.credit < -perSlice) s.credit = -perSlice;
        } else {
          s.pri = PRI.UNDER;
          // csched_acct unpauses first and clears PARKED after ("to make sure the VCPU's priority is not
          // boosted"): the host unpauses, then calls unparked().
          if (s.parked) this.parkedChanges.push({ vcpu: vid, parked: false });
          if (s.credit > perSlice) {
            this.acctStop(vid, domId);
            s.credit = 0;
          }
        }
        balance += s.credit;
      }
    }
    this.creditBalance = balance;
    this.sortEpoch++;
    this.afterAcct(tickle);
  }
}
