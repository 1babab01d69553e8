// credit1 decisions as data, against a hand-driven host view.
import { describe, expect, it } from 'vitest';
import { CreditPolicy } from '../../../src/xen/sched/credit.ts';
import type { HostView, SchedDomain, SchedVcpu } from '../../../src/xen/sched/policy.ts';
import { PAPER_SUT, Topology, type TopologyConfig } from '../../../src/xen/topology.ts';

function host(doms: { weight?: number; cap?: number; vcpus: number; at?: number[] }[], topo: TopologyConfig = PAPER_SUT) {
  const topology = new Topology(topo);
  const domains: SchedDomain[] = [];
  const vcpus: SchedVcpu[] = [];
  doms.forEach((d, id) => {
    const dom: SchedDomain = { id, name: `d${id}`, weight: d.weight ?? 256, cap: d.cap ?? 0, vcpus: [], sedf: { periodNs: 1, sliceNs: 0, extratime: true } };
    for (let i = 0; i < d.vcpus; i++) {
      dom.vcpus.push(vcpus.length);
      vcpus.push({ id: vcpus.length, domId: id, index: i, processor: d.at?.[i] ?? 0, affinity: null, runState: 'blocked' });
    }
    domains.push(dom);
  });
  const current: (SchedVcpu | null)[] = new Array(topology.pcpuCount).fill(null);
  const view: HostView = { topology, vcpus, domains, current: (p) => current[p]! };
  const policy = new CreditPolicy();
  policy.init(view);
  return { policy, vcpus, current, view };
}

describe('csched_vcpu_wake', () => {
  it('boosts an UNDER VCPU, queues it on v->processor and tickles that PCPU', () => {
    const { policy, vcpus } = host([{ vcpus: 1, at: [3] }]);
    const r = policy.wake(vcpus[0]!, 0, null);
    expect(r.boosted).toBe(true);
    expect(r.tickle).toEqual([3]);
    expect(policy.priority(vcpus[0]!)).toBe('BOOST');
    expect(policy.runqLength(3)).toBe(1);
  });

  it('does not boost an OVER VCPU and tickles idlers when its PCPU is busy', () => {
    const { policy, vcpus, current } = host([{ vcpus: 2, at: [2, 2] }]);
    policy.vc[1]!.pri = -2; // OVER
    vcpus[0]!.runState = 'running';
    current[2] = vcpus[0]!;
    policy.vc[0]!.pri = -1; // UNDER runs on PCPU2
    const r = policy.wake(vcpus[1]!, 0, null);
    expect(r.boosted).toBe(false);
    expect(r.tickle).not.toContain(2); // OVER does not outrank UNDER
    expect(r.tickle.sort()).toEqual([0, 1, 3, 4, 5, 6, 7]); // all idlers
  });

  it('keeps the run queue ordered by priority, FIFO within one', () => {
    const { policy, vcpus } = host([{ vcpus: 4, at: [0, 0, 0, 0] }]);
    policy.vc[0]!.pri = -2;
    policy.vc[2]!.pri = -2;
    for (const v of vcpus) policy.wake(v, 0, null);
    // 1 and 3 were UNDER → BOOST; 0 and 2 stay OVER.
    const order: number[] = [];
    for (let i = 0; i < 4; i++) order.push(policy.schedule(0, null, false, 0, 0).next!.id);
    expect(order).toEqual([1, 3, 0, 2]);
  });
});

describe('csched_schedule / csched_load_balance', () => {
  it('an idle PCPU steals a waiting VCPU from a busy peer', () => {
    const { policy, vcpus, current } = host([{ vcpus: 2, at: [5, 5] }]);
    vcpus[0]!.runState = 'running';
    current[5] = vcpus[0]!;
    vcpus[1]!.runState = 'runnable';
    policy.wake(vcpus[1]!, 0, null);
    const pick = policy.schedule(1, null, false, 0, 0);
    expect(pick.next?.id).toBe(1);
    expect(pick.stolenFrom).toBe(5);
    expect(pick.sliceNs).toBe(30_000_000);
  });

  it('does not steal from peers that run idle', () => {
    const { policy, vcpus } = host([{ vcpus: 1, at: [5] }]);
    policy.wake(vcpus[0]!, 0, null);
    expect(policy.schedule(1, null, false, 0, 0).next).toBeNull();
  });
});

describe('csched_tick / csched_acct', () => {
  it('a tick ends BOOST and charges 100 credits to whoever runs', () => {
    const { policy, vcpus, current } = host([{ vcpus: 1, at: [0] }], { sockets: 1, l2PerSocket: 1, coresPerL2: 1, clockGHz: 2 });
    policy.wake(vcpus[0]!, 0, null);
    current[0] = vcpus[0]!;
    vcpus[0]!.runState = 'running';
    policy.tick(0, 10_000_000);
    expect(policy.priority(vcpus[0]!)).toBe('UNDER');
    expect(policy.credit(vcpus[0]!)).toBe(-100);
  });

  it('splits 300 credits per PCPU by domain weight when contended', () => {
    const { policy, vcpus, current } = host([{ vcpus: 1, weight: 256 }, { vcpus: 1, weight: 512 }], { sockets: 1, l2PerSocket: 1, coresPerL2: 1, clockGHz: 2 });
    // Both become active when a tick catches them running.
    for (const v of vcpus) {
      current[0] = v;
      policy.tick(0, 0);
    }
    current[0] = null;
    const before = vcpus.map((v) => policy.credit(v));
    policy.tick(0, 0); // third tick on PCPU0: accounting
    const got = vcpus.map((v, i) => policy.credit(v) - before[i]!);
    expect(got).toEqual([100, 200]);
  });
});

describe('csched_cpu_pick on Clovertown', () => {
  it('moves a VCPU only to a socket with more idle cores', () => {
    const { policy, vcpus, current } = host([{ vcpus: 4, at: [0, 1, 2, 3] }]);
    // Socket 0 fully busy, socket 1 idle: VCPU on PCPU0 should move to socket 1.
    for (let i = 0; i < 4; i++) current[i] = vcpus[i]!;
    expect(policy.cpuPick(vcpus[0]!)).toBeGreaterThanOrEqual(4);
    // Within a socket it never moves (sibling = self).
    current[3] = null;
    for (let p = 4; p < 8; p++) current[p] = vcpus[0]!;
    expect(policy.cpuPick(vcpus[0]!)).toBe(0);
  });
});

describe('credit caps: parking and unparking (csched_acct)', () => {
  it('a capped VCPU unpaused by the accounting wakes UNDER, not BOOST (PARKED is cleared after the unpause)', () => {
    const { policy, vcpus, current } = host([{ vcpus: 1, cap: 10, at: [0] }]);
    const v = vcpus[0]!;
    current[0] = v;
    v.runState = 'running';
    policy.tick(0, 0); // caught running: on the active list, charged
    policy.vc[v.id]!.credit = -200; // far below the cap's 30 credits: parked at the next accounting
    for (let i = 0; i < 3; i++) policy.tick(0, 0);
    expect(policy.parkedChanges.splice(0)).toEqual([{ vcpu: v.id, parked: true }]);
    current[0] = null;
    v.runState = 'blocked';
    policy.vc[v.id]!.credit = 100; // credit back: unparked at the next accounting
    for (let i = 0; i < 3; i++) policy.tick(0, 0);
    expect(policy.parkedChanges.splice(0)).toEqual([{ vcpu: v.id, parked: false }]);
    // The host unpauses it (a wake) before clearing the flag, as csched_acct does.
    expect(policy.wake(v, 0, null).boosted).toBe(false);
    expect(policy.priority(v)).toBe('UNDER');
    policy.unparked(v);
    policy.schedule(0, null, false, 0, 0);
    // Later wakes of an UNDER VCPU boost again.
    expect(policy.wake(v, 0, null).boosted).toBe(true);
  });
});

describe('csched_acct as written (Xen 3.1)', () => {
  it('a domain that cannot use its share passes the excess on, and once an earlier domain wanted more (credit_xtra) it moves to the head of the active list', () => {
    // d0: 6 active VCPUs, peak 1800 > its fair 1200: wants more. d1: 1 VCPU, peak 300 < fair: a surplus of 900.
    const { policy, vcpus, current } = host([{ vcpus: 6, at: [0, 1, 2, 3, 4, 5] }, { vcpus: 1, at: [7] }]);
    // list_add puts a newly active domain at the head: d1 activated first, d0 last, so d0 leads.
    for (const v of [...vcpus].reverse()) {
      current[v.processor] = v;
      policy.tick(v.processor, 0); // a tick catches each running: all active, each charged 100
      current[v.processor] = null;
    }
    const order = () => (policy as unknown as { activeDoms: number[] }).activeDoms.slice();
    expect(order()).toEqual([0, 1]);
    const acct = () => {
      for (let i = 0; i < 3; i++) policy.tick(0, 0);
    };
    const d0Before = policy.credit(vcpus[1]!);
    acct();
    // d0 came first: only its fair 1200 (200 per VCPU); d1's surplus had no one after it. d1 moves to the head.
    expect(policy.credit(vcpus[1]!) - d0Before).toBe(200);
    expect(order()).toEqual([1, 0]);
    expect(policy.acctReorders).toBe(1);
    for (const v of vcpus.slice(0, 6)) policy.vc[v.id]!.credit = -250; // busy: no clipping in the next period
    acct();
    // Now d1 goes first and passes its surplus on: d0 reaches its peak, 300 per VCPU (not 200).
    expect(policy.credit(vcpus[1]!)).toBe(50);
  });
});

describe('csched_acct: clipping, the reset above one slice, and the debt', () => {
  const ONE_PCPU = { sockets: 1, l2PerSocket: 1, coresPerL2: 1, clockGHz: 2 };
  /** One 1-VCPU domain on one PCPU, made active by a tick that catches it running (charged 100), then left idle. */
  function activeAlone() {
    const h = host([{ vcpus: 1, at: [0] }], ONE_PCPU);
    const v = h.vcpus[0]!;
    h.current[0] = v;
    h.policy.tick(0, 0);
    h.current[0] = null;
    const acct = () => {
      for (let i = 0; i < 3; i++) h.policy.tick(0, 0); // nothing runs: no charge, PCPU0's third tick accounts
    };
    return { ...h, v, acct };
  }

  it('a VCPU far below zero gets its 300 and is clipped at -300 (OVER)', () => {
    const { policy, v, acct } = activeAlone();
    policy.vc[v.id]!.credit = -1000;
    acct();
    // -1000 + 300 = -700, clipped to -CSCHED_CREDITS_PER_TSLICE.
    expect(policy.credit(v)).toBe(-300);
    expect(policy.priority(v)).toBe('OVER');
  });

  it('a negative balance is paid back: the next pool and the domain’s peak both grow by the debt', () => {
    const { policy, v, acct } = activeAlone();
    policy.vc[v.id]!.credit = -1000;
    acct(); // clipped at -300: the balance is -300
    acct();
    // credit_total = 300 + 300 and credit_peak = 300 + 300 × 256/256: the VCPU gets 600, -300 → 300.
    expect(policy.credit(v)).toBe(300);
    expect(policy.priority(v)).toBe('UNDER');
  });

  it('a VCPU that ends above one slice of credit leaves the active list with its credit reset to 0, and earns nothing after', () => {
    const { policy, v, acct } = activeAlone();
    policy.vc[v.id]!.credit = 250;
    acct();
    // 250 + 300 = 550 > 300: __csched_vcpu_acct_stop, credit 0.
    expect(policy.credit(v)).toBe(0);
    expect(policy.vc[v.id]!.active).toBe(false);
    acct();
    expect(policy.credit(v)).toBe(0); // inactive: no share
  });
});

describe('csched_runq_sort', () => {
  it('after an accounting, a queued VCPU that went OVER falls behind one still UNDER, so the PCPU runs the UNDER one', () => {
    const { policy, vcpus, current } = host([{ vcpus: 2, at: [0, 0] }], { sockets: 1, l2PerSocket: 1, coresPerL2: 1, clockGHz: 2 });
    const [a, b] = [vcpus[0]!, vcpus[1]!];
    for (const v of [a, b]) {
      current[0] = v;
      policy.tick(0, 0); // caught running: active
    }
    current[0] = null;
    policy.wake(a, 0, null);
    policy.wake(b, 0, null); // queued a, b (both BOOST)
    policy.vc[a.id]!.credit = -1000;
    policy.vc[b.id]!.credit = 0;
    policy.tick(0, 0); // PCPU0's third tick: accounting (a OVER, b UNDER), then the queue is sorted
    expect(policy.priority(a)).toBe('OVER');
    expect(policy.priority(b)).toBe('UNDER');
    expect(policy.schedule(0, null, false, 0, 0).next?.id).toBe(b.id);
    expect(policy.schedule(0, null, false, 0, 0).next?.id).toBe(a.id);
  });
});

describe('csched_load_balance: only higher priority is stolen', () => {
  it('a PCPU whose head is OVER steals a peer’s UNDER VCPU but not one that is OVER too (it runs its own head)', () => {
    const two = { sockets: 1, l2PerSocket: 1, coresPerL2: 2, clockGHz: 2 };
    const setup = (peerPri: number) => {
      const { policy, vcpus, current } = host([{ vcpus: 3, at: [0, 1, 1] }], two);
      vcpus[1]!.runState = 'running';
      current[1] = vcpus[1]!; // PCPU1 busy
      policy.vc[0]!.pri = -2; // OVER: not boosted by its wake
      policy.vc[2]!.pri = peerPri;
      policy.wake(vcpus[0]!, 0, null);
      policy.wake(vcpus[2]!, 0, null);
      return policy.schedule(0, null, false, 0, 0);
    };
    const over = setup(-2);
    expect(over.next?.id).toBe(0);
    expect(over.stolenFrom).toBeUndefined();
    const under = setup(-1); // woken UNDER: BOOST, above OVER
    expect(under.next?.id).toBe(2);
    expect(under.stolenFrom).toBe(1);
  });
});
