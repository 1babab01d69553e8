// Opt A, the cache-aware credit scheduler (paper §5.1): when an I/O VCPU is
// woken by its partner, queue it on a PCPU sharing L2 with the partner's PCPU
// instead of tickling every idle PCPU (a wakee already on a free core of that
// L2 stays); a non-I/O VCPU running there is preempted and sent to the wakee's
// old PCPU when that is elsewhere and its affinity allows (load balance kept);
// when the wakee can neither run there at once nor have room made, Xen's own
// wake places it. Neither
// balancing nor the tick's migration check pulls an I/O VCPU out of its
// partner's L2 group.
import { CreditPolicy } from './credit.ts';
import type { CreditParams } from './creditParams.ts';
import { IoDetector, type IoDetectParams } from './ioDetect.ts';
import type { SchedVcpu, WakeResult } from './policy.ts';
import { PRI } from './policy.ts';

export interface ExtensionFlags {
  cacheAware: boolean;
  creditSteal: boolean;
}

export class CacheAwareCredit extends CreditPolicy {
  override readonly name: string;
  readonly io: IoDetector;
  /** Forced moves decided at wake time: preempted VCPU → PCPU it goes to. */
  private readonly forcedMoves = new Map<number, number>();

  constructor(params: CreditParams, detect: IoDetectParams, readonly flags: ExtensionFlags) {
    super(params);
    this.io = new IoDetector(detect);
    this.name = flags.cacheAware && flags.creditSteal ? 'credit+A+B' : flags.cacheAware ? 'credit+A' : flags.creditSteal ? 'credit+B' : 'credit';
  }

  /** Every event-channel send between two VCPUs is an I/O event of the pair (§5.1). */
  ioEvent(from: SchedVcpu, to: SchedVcpu): void {
    this.io.record(from.id, to.id);
  }

  override wake(v: SchedVcpu, nowNs: number, waker: SchedVcpu | null): WakeResult {
    if (!this.flags.cacheAware || !waker || this.io.partner.get(v.id) !== waker.id) return super.wake(v, nowNs, waker);
    const s = this.vc[v.id]!;
    if (this.isCurrent(v) || s.onRunq) return { tickle: [], boosted: false };
    const target = this.l2Target(v, waker.processor);
    if (target === null) return super.wake(v, nowNs, waker);
    const from = v.processor;
    const cur = this.view.current(target);
    const wakePri = s.pri === PRI.UNDER && !s.parked ? PRI.BOOST : s.pri;
    const runsAtOnce = cur === null || wakePri > this.vc[cur.id]!.pri;
    // Preempt the non-I/O VCPU there; it moves to where the wakee came from (when that is elsewhere, and its
    // affinity allows it: a "move" to its own PCPU would only re-wake it, BOOSTed for nothing).
    const displaces = !runsAtOnce && !this.io.isIo(cur!.id) && from !== target && this.allowed(cur!, from);
    // Neither: queued behind what runs there, nobody tickled, it would wait out that VCPU's slice while its own
    // PCPU may idle. Xen's own wake (queue where it is, tickle idlers) serves it better.
    if (!runsAtOnce && !displaces) return super.wake(v, nowNs, waker);
    v.processor = target;
    let boosted = false;
    if (s.pri === PRI.UNDER && !s.parked) {
      s.pri = PRI.BOOST;
      boosted = true;
      this.counters.boosts++;
    }
    this.runqInsert(target, v.id);
    if (displaces) {
      this.forcedMoves.set(cur!.id, from);
      this.vc[cur!.id]!.migrating = true;
    }
    return { tickle: [target], boosted };
  }

  /** The waker's L2 peer (or the waker's own PCPU on a one-core L2), if the wakee may run there. */
  private l2Target(v: SchedVcpu, wakerPcpu: number): number | null {
    const peers = this.view.topology.l2Peers(wakerPcpu);
    const ok = (p: number) => v.affinity === null || v.affinity.includes(p);
    const idle = (p: number) => this.view.current(p) === null && this.runq[p]!.length === 0;
    const idlePeer = peers.find((p) => ok(p) && idle(p));
    // Already in the waker's L2 — on another of its cores, or on the waker's own — it shares the cache there; a
    // move within the L2 gains nothing (unless its core is busy and another core of the L2 is idle: queued behind
    // what runs there, nobody tickled, it would wait out that VCPU's slice). Moving a wakee off the waker's own
    // core onto a busy peer preempted whatever ran there, and the waker's core, idle once the waker blocked,
    // stole it back: two migrations a turn for a ping-pong pair (scenarios/sched/ping-pong.yaml: −15%).
    const inWakerL2 = v.processor === wakerPcpu || peers.includes(v.processor);
    if (inWakerL2 && ok(v.processor) && (idle(v.processor) || idlePeer === undefined)) return v.processor;
    const pick = idlePeer ?? peers.find(ok) ?? (ok(wakerPcpu) ? wakerPcpu : null);
    return pick ?? null;
  }

  override migrateTarget(v: SchedVcpu): number | undefined {
    const forced = this.forcedMoves.get(v.id);
    if (forced !== undefined) {
      this.forcedMoves.delete(v.id);
      this.vc[v.id]!.migrating = false;
      return forced;
    }
    return super.migrateTarget(v);
  }

  /**
   * csched_cpu_pick under Opt A (§5.1: the migration of a VCPU that "remains BOOST" and finds idle PCPUs
   * elsewhere "migrates the boosted VCPU and boosting VCPU to the same cache domain when this migration is
   * triggered"): an I/O VCPU stays while it shares L2 with its partner's PCPU and otherwise moves to that
   * L2; the stock pick (to the package with the most idle cores) would pull the pair apart at every tick.
   */
  override cpuPick(v: SchedVcpu): number {
    const partner = this.flags.cacheAware ? this.io.partner.get(v.id) : undefined;
    if (partner === undefined) return super.cpuPick(v);
    const pp = this.view.vcpus[partner]!.processor;
    const topo = this.view.topology;
    if (topo.l2Of(v.processor) === topo.l2Of(pp) && this.allowed(v, v.processor)) return v.processor;
    return this.l2Target(v, pp) ?? super.cpuPick(v);
  }

  /** Keep a boosted I/O VCPU in its partner's L2 group when idle PCPUs steal work. */
  protected override stealFrom(peer: number, pcpu: number, minPri: number): number | null {
    if (!this.flags.cacheAware) return super.stealFrom(peer, pcpu, minPri);
    for (const vid of this.runq[peer]!) {
      if (this.vc[vid]!.pri <= minPri) break;
      const v = this.view.vcpus[vid]!;
      if (v.runState === 'running' || !this.allowed(v, pcpu)) continue;
      const partner = this.io.partner.get(vid);
      if (partner !== undefined && this.vc[vid]!.pri === PRI.BOOST) {
        const pp = this.view.vcpus[partner]!.processor;
        if (this.view.topology.l2Of(pp) !== this.view.topology.l2Of(pcpu)) continue;
      }
      this.runqRemove(peer, vid);
      return vid;
    }
    return null;
  }

  /** After csched_acct: a new detection period. */
  protected override afterAcct(_tickle: number[]): void {
    this.io.endPeriod();
  }

  /** Credit Opt B moved to each domain's I/O VCPUs (the metric follows it). */
  private readonly stolenByDomain: number[] = [];

  creditStolenBy(domId: number): number {
    return this.stolenByDomain[domId] ?? 0;
  }

  /** Opt B runs inside csched_acct, after the domain's credit is handed out and before clipping. */
  protected override adjustDomainCredit(domId: number): void {
    if (this.flags.creditSteal) this.stealCredit(domId);
  }

  /**
   * Opt B (§5.2): per domain, Steal = Credit(idle VCPUs) / (2 · Num(I/O VCPUs))
   * goes to each I/O VCPU; each idle VCPU's credit is cut in half.
   */
  private stealCredit(domId: number): void {
    for (const d of [this.view.domains[domId]!]) {
      const ioV = d.vcpus.filter((id) => this.io.isIo(id));
      if (ioV.length === 0) continue;
      const idle = d.vcpus.filter((id) => !this.io.isIo(id) && this.vc[id]!.active && this.view.vcpus[id]!.runState === 'blocked' && this.vc[id]!.credit > 0);
      let pool = 0;
      for (const id of idle) {
        const half = Math.floor(this.vc[id]!.credit / 2);
        this.vc[id]!.credit -= half;
        pool += half;
      }
      if (pool === 0) continue;
      const each = Math.floor(pool / ioV.length);
      for (const id of ioV) {
        const s = this.vc[id]!;
        s.credit += each;
      }
      this.counters.creditStolen += each * ioV.length;
      this.stolenByDomain[domId] = (this.stolenByDomain[domId] ?? 0) + each * ioV.length;
    }
  }
}
