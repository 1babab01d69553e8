// Opt A (cache-aware) and Opt B (credit stealing) as policy mechanisms.
import { describe, expect, it } from 'vitest';
import { CacheAwareCredit } from '../../../src/xen/sched/cacheAware.ts';
import { XEN31_CREDIT } from '../../../src/xen/sched/creditParams.ts';
import type { HostView, SchedDomain, SchedVcpu } from '../../../src/xen/sched/policy.ts';
import { PAPER_SUT, Topology } from '../../../src/xen/topology.ts';

function host(flags: { cacheAware: boolean; creditSteal: boolean }) {
  const topology = new Topology(PAPER_SUT);
  const mk = (id: number, domId: number, index: number, processor: number): SchedVcpu => ({ id, domId, index, processor, affinity: null, runState: 'blocked' });
  // Dom0: 4 VCPUs on PCPUs 0..3; DomU: 1 VCPU on PCPU 7.
  const vcpus = [mk(0, 0, 0, 0), mk(1, 0, 1, 1), mk(2, 0, 2, 2), mk(3, 0, 3, 3), mk(4, 1, 0, 7)];
  const sedf = { periodNs: 1, sliceNs: 0, extratime: true };
  const domains: SchedDomain[] = [
    { id: 0, name: 'dom0', weight: 256, cap: 0, vcpus: [0, 1, 2, 3], sedf },
    { id: 1, name: 'domu', weight: 256, cap: 0, vcpus: [4], sedf },
  ];
  const current: (SchedVcpu | null)[] = new Array(8).fill(null);
  const view: HostView = { topology, vcpus, domains, current: (p) => current[p]! };
  const policy = new CacheAwareCredit(XEN31_CREDIT, { threshold: 150 }, flags);
  policy.init(view);
  return { policy, vcpus, current };
}

/** Dom0 VCPU0 wakes the DomU VCPU `n` times (and back), as netback/netfront notifications do. */
function pingPong(h: ReturnType<typeof host>, n: number) {
  const [d0, , , , du] = h.vcpus as [SchedVcpu, SchedVcpu, SchedVcpu, SchedVcpu, SchedVcpu];
  for (let i = 0; i < n; i++) {
    h.policy.ioEvent(d0, du);
    h.policy.ioEvent(du, d0);
    h.policy.wake(du, 0, d0);
    h.policy.sleep(du, 0);
    h.policy.wake(d0, 0, du);
    h.policy.sleep(d0, 0);
  }
}

describe('Opt A: cache-aware placement', () => {
  it('after 150+ wakeups per period the pair counts as I/O VCPUs', () => {
    const h = host({ cacheAware: true, creditSteal: false });
    pingPong(h, 151);
    h.policy.tick(0, 0);
    h.policy.tick(0, 0);
    h.policy.tick(0, 0); // PCPU0's third tick runs csched_acct: end of the detection period
    expect(h.policy.io.isIo(0)).toBe(true);
    expect(h.policy.io.isIo(4)).toBe(true);
    expect(h.policy.io.partner.get(4)).toBe(0);
  });

  it('an I/O VCPU woken by its partner is queued on the partner’s L2 peer, not on its old cross-socket PCPU', () => {
    const h = host({ cacheAware: true, creditSteal: false });
    pingPong(h, 151);
    for (let i = 0; i < 3; i++) h.policy.tick(0, 0);
    const [d0, , , , du] = h.vcpus as SchedVcpu[];
    h.current[0] = d0!;
    d0!.runState = 'running';
    const r = h.policy.wake(du!, 0, d0!);
    expect(du!.processor).toBe(1); // shares the 4 MB L2 with PCPU0
    expect(r.tickle).toEqual([1]);
    expect(h.policy.runqLength(1)).toBe(1);
  });

  it('the tick’s migration check keeps an I/O VCPU in its partner’s L2, or moves it there (§5.1)', () => {
    const pick = (cacheAware: boolean, duPcpu: number) => {
      const h = host({ cacheAware, creditSteal: false });
      pingPong(h, 151);
      for (let i = 0; i < 3; i++) h.policy.tick(0, 0);
      const [d0, , , , du] = h.vcpus as SchedVcpu[];
      // Dom0's VCPUs on PCPUs 0..3 all busy: the other socket has four idle cores.
      for (const v of h.vcpus.slice(0, 4)) {
        h.current[v.processor] = v;
        v.runState = 'running';
      }
      du!.processor = duPcpu;
      h.current[duPcpu] = du!;
      du!.runState = 'running';
      void d0;
      return h.policy.cpuPick(du!);
    };
    // Stock csched_cpu_pick: a socket with more idle cores wins, pulling the pair apart.
    expect(pick(false, 1)).toBeGreaterThanOrEqual(4);
    expect(pick(true, 1)).toBe(1); // shares L2 with Dom0 VCPU0 on PCPU0: stays
    expect(pick(true, 6)).toBe(1); // elsewhere: the partner's L2 peer
  });

  /** A detected pair, Dom0 VCPU0 running on PCPU0, and Dom0 VCPU1 woken (BOOST) and running on PCPU1, its L2 peer. */
  const boostOnPeer = (affinity: number[] | null) => {
    const h = host({ cacheAware: true, creditSteal: false });
    pingPong(h, 151);
    for (let i = 0; i < 3; i++) h.policy.tick(0, 0);
    const [d0, d1, , , du] = h.vcpus as SchedVcpu[];
    h.current[0] = d0!;
    d0!.runState = 'running';
    d1!.affinity = affinity;
    h.policy.wake(d1!, 0, null);
    h.policy.schedule(1, null, false, 0, 0);
    h.current[1] = d1!;
    d1!.runState = 'running';
    return { h, d0: d0!, d1: d1!, du: du! };
  };

  it('a VCPU running where the wakee already is keeps running: no forced "move" to its own PCPU', () => {
    const { h, d0, d1, du } = boostOnPeer(null);
    // The DomU VCPU also last ran on PCPU1.
    du.processor = 1;
    const r = h.policy.wake(du, 0, d0);
    expect(du.processor).toBe(1);
    // The wakee (BOOST) does not outrank the BOOST VCPU there and nobody is sent anywhere: it is queued as
    // Xen queues it, and the idle PCPUs are tickled to steal it (rather than leaving it behind d1's slice).
    expect(h.policy.isMigrating(d1.id)).toBe(false);
    expect(r.tickle).not.toContain(1);
    expect(r.tickle.length).toBeGreaterThan(0);
  });

  it('the VCPU a wakee would preempt is not sent to a PCPU outside its affinity', () => {
    // Dom0 VCPU1 is pinned to PCPU1; the DomU VCPU comes from PCPU7.
    const { h, d0, d1, du } = boostOnPeer([1]);
    const r = h.policy.wake(du, 0, d0);
    expect(h.policy.isMigrating(d1.id)).toBe(false);
    // Nobody can make room in the L2: the wakee runs at once where it was (PCPU7 idles), as Xen's wake has it.
    expect(du.processor).toBe(7);
    expect(r.tickle).toEqual([7]);
  });

  it('without Opt A the wakee stays on its own PCPU', () => {
    const h = host({ cacheAware: false, creditSteal: false });
    pingPong(h, 151);
    for (let i = 0; i < 3; i++) h.policy.tick(0, 0);
    const du = h.vcpus[4]!;
    h.policy.wake(du, 0, h.vcpus[0]!);
    expect(du.processor).toBe(7);
  });
});

describe('Opt B: credit stealing', () => {
  it('I/O VCPUs gain what idle Dom0 VCPUs lose; idle VCPUs keep half of this period’s credit', () => {
    const run = (creditSteal: boolean) => {
      const h = host({ cacheAware: false, creditSteal });
      const s = h.policy;
      // Every Dom0 VCPU active (a tick caught each running), then one period of I/O pairing.
      for (const v of h.vcpus.slice(0, 4)) {
        h.current[v.processor] = v;
        s.tick(v.processor, 0);
        h.current[v.processor] = null;
      }
      pingPong(h, 151);
      for (let i = 0; i < 3; i++) s.tick(0, 0);
      // Next period: idle VCPUs 1..3 are active but blocked; VCPU0 is the busy I/O VCPU.
      for (const id of [0, 1, 2, 3]) s.vc[id]!.credit = -200;
      pingPong(h, 151);
      for (let i = 0; i < 3; i++) s.tick(0, 0);
      return { credits: h.vcpus.map((v) => s.credit(v)), stolen: s.stats().creditStolen, stolenDom0: s.creditStolenBy(0), stolenGuest: s.creditStolenBy(1), io: s.io.isIo(0) };
    };
    const plain = run(false);
    const steal = run(true);
    expect(steal.io).toBe(true);
    expect(steal.stolen).toBeGreaterThan(0);
    for (const i of [1, 2, 3]) {
      expect(plain.credits[i]!).toBeGreaterThan(0);
      expect(steal.credits[i]!).toBe(plain.credits[i]! - Math.floor(plain.credits[i]! / 2));
    }
    const taken = [1, 2, 3].reduce((a, i) => a + Math.floor(plain.credits[i]! / 2), 0);
    expect(steal.credits[0]! - plain.credits[0]!).toBe(taken);
    expect(steal.stolen).toBe(taken);
    // Per domain (what vioemu_sched_credit_stolen_total{domain} follows): all of it Dom0's.
    expect([steal.stolenDom0, steal.stolenGuest, plain.stolenDom0]).toEqual([taken, 0, 0]);
  });
});

describe('Opt B changes scheduling, not only the credit numbers', () => {
  it('Dom0 VCPU0 OVER while idle Dom0 VCPUs on the active list hold credit: with Opt B its wake is a BOOST that preempts the guest on its PCPU', () => {
    const run = (creditSteal: boolean) => {
      const h = host({ cacheAware: false, creditSteal });
      const s = h.policy;
      for (const v of h.vcpus.slice(0, 4)) {
        h.current[v.processor] = v;
        s.tick(v.processor, 0);
        h.current[v.processor] = null;
      }
      pingPong(h, 151);
      for (let i = 0; i < 3; i++) s.tick(0, 0);
      // VCPU0 overspent its share (OVER after accounting); VCPUs 1..3 idle, active, holding credit.
      s.vc[0]!.credit = -590; // + its 300 this period: still negative
      for (const id of [1, 2, 3]) s.vc[id]!.credit = 100;
      pingPong(h, 151);
      for (let i = 0; i < 3; i++) s.tick(0, 0);
      // The guest VCPU now runs on VCPU0's PCPU; the NIC interrupt wakes VCPU0 there.
      const [d0, , , , du] = h.vcpus as SchedVcpu[];
      du!.processor = 0;
      du!.runState = 'running';
      s.vc[4]!.pri = -1; // the guest runs UNDER
      h.current[0] = du!;
      d0!.runState = 'blocked';
      d0!.processor = 0;
      const r = s.wake(d0!, 0, null);
      return { pri: s.priority(d0!), boosted: r.boosted, preempts: r.tickle.includes(0) };
    };
    const plain = run(false);
    const steal = run(true);
    expect(plain.pri).toBe('OVER');
    expect(plain.boosted).toBe(false);
    expect(plain.preempts).toBe(false); // it waits behind the guest
    expect(steal.boosted).toBe(true);
    expect(steal.pri).toBe('BOOST');
    expect(steal.preempts).toBe(true);
  });
});
