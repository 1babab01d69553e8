// SEDF decisions as data, driven by a tiny hand-written runtime loop.
import { describe, expect, it } from 'vitest';
import { EXTRA_QUANTUM_NS, PEN_Q, SEDF_IDLE_NS, SedfPolicy, UTIL_Q } from '../../../src/xen/sched/sedf.ts';
import type { HostView, SchedDomain, SchedVcpu } from '../../../src/xen/sched/policy.ts';
import { PAPER_SUT, Topology } from '../../../src/xen/topology.ts';

const MS = 1_000_000;
const US = 1_000;

interface DomSpec {
  periodNs: number;
  sliceNs: number;
  extratime?: boolean;
  extraWeight?: number;
  at: number[];
}

const DOM0 = { periodNs: 20 * MS, sliceNs: 15 * MS };
const DOMU = { periodNs: 100 * MS, sliceNs: 0 };

interface Pick {
  pcpu: number;
  atNs: number;
  vcpu: number | null;
  sliceNs: number;
}

/**
 * A mini host runtime: per PCPU the running VCPU, when it was picked and when
 * its slice ends. VCPUs are CPU hogs unless the test blocks them.
 */
function host(doms: DomSpec[]) {
  const topology = new Topology(PAPER_SUT);
  const domains: SchedDomain[] = [];
  const vcpus: SchedVcpu[] = [];
  doms.forEach((d, id) => {
    const dom: SchedDomain = { id, name: `d${id}`, weight: 256, cap: 0, vcpus: [], sedf: { periodNs: d.periodNs, sliceNs: d.sliceNs, extratime: d.extratime ?? true, extraWeight: d.extraWeight } };
    d.at.forEach((p, i) => {
      dom.vcpus.push(vcpus.length);
      vcpus.push({ id: vcpus.length, domId: id, index: i, processor: p, affinity: null, runState: 'blocked' });
    });
    domains.push(dom);
  });
  const n = topology.pcpuCount;
  const current: (SchedVcpu | null)[] = new Array(n).fill(null);
  const startNs: number[] = new Array(n).fill(0);
  const endNs: number[] = new Array(n).fill(Infinity);
  const ranNs: number[] = new Array(vcpus.length).fill(0);
  const picks: Pick[] = [];
  const view: HostView = { topology, vcpus, domains, current: (p) => current[p]! };
  const policy = new SedfPolicy();
  policy.init(view);

  function resched(p: number, now: number): Pick {
    const prev = current[p]!;
    const ran = prev ? now - startNs[p]! : 0;
    const prevRunnable = prev !== null && prev.runState === 'running';
    const pick = policy.schedule(p, prev, prevRunnable, now, ran);
    if (prev) {
      ranNs[prev.id]! += ran;
      if (prevRunnable && pick.next !== prev) prev.runState = 'runnable';
    }
    if (pick.next) {
      expect(pick.next.processor).toBe(p);
      pick.next.runState = 'running';
    }
    current[p] = pick.next;
    startNs[p] = now;
    endNs[p] = now + Math.max(1, pick.sliceNs);
    const rec = { pcpu: p, atNs: now, vcpu: pick.next?.id ?? null, sliceNs: pick.sliceNs };
    picks.push(rec);
    return rec;
  }

  return {
    policy,
    vcpus,
    picks,
    ranNs,
    boot(now = 0) {
      for (let p = 0; p < n; p++) resched(p, now);
    },
    wake(v: SchedVcpu, now: number) {
      const r = policy.wake(v, now, null);
      v.runState = 'runnable';
      for (const p of r.tickle) resched(p, now);
      return r;
    },
    block(v: SchedVcpu, now: number) {
      v.runState = 'blocked';
      const r = policy.sleep(v, now);
      for (const p of r.tickle) resched(p, now);
      return r;
    },
    /** Run slice expiries up to and including `untilNs` (earliest first, lower PCPU on ties). */
    runUntil(untilNs: number) {
      for (;;) {
        let p = 0;
        for (let q = 1; q < n; q++) if (endNs[q]! < endNs[p]!) p = q;
        if (endNs[p]! > untilNs) return;
        resched(p, endNs[p]!);
      }
    },
    /** Close the open run intervals at `t` (results only). */
    finish(t: number) {
      for (let p = 0; p < n; p++) {
        const v = current[p];
        if (v) ranNs[v.id]! += t - startNs[p]!;
        startNs[p] = t;
      }
    },
    resched,
  };
}

/** Boot a host, wake every VCPU at 0 and run its hogs for `durNs`. */
function runHogs(doms: DomSpec[], durNs: number) {
  const h = host(doms);
  h.boot();
  for (const v of h.vcpus) h.wake(v, 0);
  h.runUntil(durNs);
  h.finish(durNs);
  return h;
}

describe('EDF with extra time (sedf_do_schedule)', () => {
  it('a 20/15 ms VCPU gets its 75% plus a share of the slack against an extratime-only hog', () => {
    const dur = 2000 * MS;
    const h = runHogs([{ ...DOM0, at: [0] }, { ...DOMU, at: [0] }], dur);
    const [a, b] = h.ranNs;
    expect(a! / dur).toBeGreaterThanOrEqual(0.75);
    expect(b! / dur).toBeGreaterThanOrEqual(0.1);
    expect(a! + b!).toBe(dur); // work-conserving: the PCPU is never idle
    // 15 ms EDF per 20 ms, the other 5 ms split in 500 µs quanta (plus the
    // first 15 ms before the first release, also split): ~87.5% / 12.5%.
    expect(a! / dur).toBeCloseTo(0.875, 2);
    // Deterministic: the same pick sequence on a second run.
    expect(runHogs([{ ...DOM0, at: [0] }, { ...DOMU, at: [0] }], dur).picks).toEqual(h.picks);
  });

  it('EDF slices run to the end of the slice or the next release, extra time in 500 µs quanta', () => {
    const h = runHogs([{ ...DOM0, at: [0] }, { ...DOMU, at: [0] }], 40 * MS);
    const p0 = h.picks.filter((p) => p.pcpu === 0);
    // First wake: deadline = now + slice (15 ms), a "short unblock", so the
    // first release is at 15 ms; until then both share extra time.
    expect(h.policy.vc[0]!.deadlNs).toBe(55 * MS);
    const at = (t: number) => p0.filter((p) => p.atNs === t).at(-1)!;
    // At 0 the first wakee takes an L1 quantum; the hog's wake (a long
    // unblock, released now) reschedules, and the first one, charged for its
    // turn, goes behind the hog: the quanta alternate from there.
    expect(at(0)).toMatchObject({ vcpu: 1, sliceNs: EXTRA_QUANTUM_NS });
    expect(at(500 * US)).toMatchObject({ vcpu: 0, sliceNs: EXTRA_QUANTUM_NS });
    expect(at(14500 * US)).toMatchObject({ vcpu: 0, sliceNs: EXTRA_QUANTUM_NS });
    expect(at(15 * MS)).toMatchObject({ vcpu: 0, sliceNs: 15 * MS });
    expect(at(30 * MS)).toMatchObject({ vcpu: 1, sliceNs: EXTRA_QUANTUM_NS });
    expect(at(34500 * US)).toMatchObject({ vcpu: 0, sliceNs: EXTRA_QUANTUM_NS });
    expect(at(35 * MS)).toMatchObject({ vcpu: 0, sliceNs: 15 * MS });
    expect(h.policy.tickNs).toBeNull();
    expect(h.policy.tick(0, 0)).toEqual({ tickle: [] });
    expect(h.policy.stats()).toEqual({ boosts: 0, creditStolen: 0 });
    expect(h.policy.credit(h.vcpus[0]!)).toBe(0);
  });

  it('two extratime-only hogs share a PCPU equally, alternating 500 µs quanta', () => {
    const dur = 2000 * MS;
    const h = runHogs([{ ...DOMU, at: [4, 4] }], dur);
    const [a, b] = h.ranNs;
    expect(Math.abs(a! / dur - 0.5)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(b! / dur - 0.5)).toBeLessThanOrEqual(0.05);
    const busy = h.picks.filter((p) => p.pcpu === 4 && p.vcpu !== null);
    expect(busy.every((p) => p.sliceNs === EXTRA_QUANTUM_NS)).toBe(true);
    // Round-robin: consecutive quanta never go to the same VCPU.
    for (let i = 1; i < busy.length; i++) expect(busy[i]!.vcpu).not.toBe(busy[i - 1]!.vcpu);
    expect(h.policy.priority(h.vcpus[0]!)).toBe('OVER');
  });

  it('never balances: 8 hogs on PCPU0 stay there, PCPUs 1..7 only idle', () => {
    const dur = 2500 * MS;
    const h = runHogs([{ ...DOM0, at: [0] }, { ...DOMU, at: [0, 0, 0, 0, 0, 0, 0] }], dur);
    const others = h.picks.filter((p) => p.pcpu !== 0);
    expect(others.length).toBe(7 * 3); // boot, then every SECONDS(1) while idle
    expect(others.every((p) => p.vcpu === null && p.sliceNs === SEDF_IDLE_NS)).toBe(true);
    expect(h.vcpus.every((v) => v.processor === 0)).toBe(true);
    expect(h.ranNs.reduce((s, x) => s + x, 0)).toBe(dur);
    expect(h.policy.runqLength(0)).toBe(7);
    for (let p = 1; p < 8; p++) expect(h.policy.runqLength(p)).toBe(0);
    // The Dom0-like VCPU keeps its 75%; the 7 extratime hogs split the rest equally.
    expect(h.ranNs[0]! / dur).toBeGreaterThanOrEqual(0.75);
    const rest = h.ranNs.slice(1);
    expect(Math.max(...rest) - Math.min(...rest)).toBeLessThanOrEqual(EXTRA_QUANTUM_NS);
  });
});

describe('extra time after `xm sched-sedf` (sedf_adjust zeroes the extra weight)', () => {
  it('the L1 score becomes the utilisation, (period << 10) / slice, and buys that domain most of the slack', () => {
    const dur = 2000 * MS;
    const tenth = { periodNs: 10 * MS, sliceNs: 1 * MS, at: [3] };
    const initial = runHogs([tenth, { ...DOMU, at: [3] }], dur);
    const adjusted = runHogs([{ ...tenth, extraWeight: 0 }, { ...DOMU, at: [3] }], dur);
    // Extra weight 1 for both (sedf_init_vcpu): 10% EDF, then equal L1 turns.
    expect(Math.abs(initial.ranNs[0]! / dur - 0.55)).toBeLessThanOrEqual(0.05);
    // Score 10 ms << 10 / 1 ms = 10240 against the other's 131072: L1 time goes in inverse proportion
    // to the scores, 12.8 of every 13.8 quanta.
    const l1Share = 131072 / (131072 + 10240);
    expect(Math.abs(adjusted.ranNs[0]! / dur - (0.1 + 0.9 * l1Share))).toBeLessThanOrEqual(0.01);
    expect(Math.abs(adjusted.ranNs[1]! / dur - 0.9 * (1 - l1Share))).toBeLessThanOrEqual(0.01);
  });
});

describe('sedf_wake: short and long unblocking', () => {
  it('first wake, short unblock (L0 penalty) and long unblock, with their deadlines', () => {
    const h = host([{ ...DOM0, at: [2] }]);
    const x = h.vcpus[0]!;
    const s = h.policy.vc[0]!;
    h.boot();
    // First wake at 0: deadl = 0 + slice = 15 ms, which is a short unblock
    // (no block yet, so no penalty): deadline 35 ms, released at 15 ms.
    expect(h.wake(x, 0).tickle).toEqual([2]);
    expect(s.deadlNs).toBe(35 * MS);
    expect(h.policy.periodBeginNs(0)).toBe(15 * MS);
    expect(h.policy.priority(x)).toBe('OVER');
    h.runUntil(20 * MS); // extra quanta 0..15 ms, then EDF from 15 ms

    // Blocks at 20 ms after 5 ms of its slice: deadline unchanged, off every queue.
    h.block(x, 20 * MS);
    expect(s).toMatchObject({ deadlNs: 35 * MS, cputimeNs: 5 * MS, q: null, blockNs: 20 * MS });
    expect(h.policy.priority(x)).toBe('IDLE');
    expect(h.picks.at(-1)).toMatchObject({ vcpu: null, sliceNs: SEDF_IDLE_NS });

    // Short unblock at 25 ms (before the 35 ms deadline): the remaining 10 ms
    // are lost, the deadline moves a period on, and the loss buys an L0 place
    // with score (20 ms << 10) / 10 ms = 2048.
    expect(h.wake(x, 25 * MS).tickle).toEqual([2]);
    expect(s).toMatchObject({ deadlNs: 55 * MS, cputimeNs: 0, shortBlockLostNs: 10 * MS, wantPen: true, q: 'wait' });
    expect(s.score[PEN_Q]).toBe(2048);
    expect(h.picks.at(-1)).toMatchObject({ atNs: 25 * MS, vcpu: 0, sliceNs: EXTRA_QUANTUM_NS });
    expect(s.extraRun).toBe(PEN_Q);
    // One L0 quantum settles the penalty (3.1); then L1 extra time until the 35 ms release.
    h.runUntil(25 * MS + EXTRA_QUANTUM_NS);
    expect(s).toMatchObject({ wantPen: false, shortBlockLostNs: 0, extraRun: UTIL_Q });
    h.runUntil(35 * MS);
    expect(h.picks.at(-1)).toMatchObject({ atNs: 35 * MS, vcpu: 0, sliceNs: 15 * MS });
    expect(h.policy.priority(x)).toBe('UNDER');

    // Blocks at 40 ms, wakes at 60 ms (after the 55 ms deadline): a long
    // unblock starts a new period now, deadline 60 + 20 = 80 ms, full slice.
    h.block(x, 40 * MS);
    expect(s).toMatchObject({ deadlNs: 55 * MS, cputimeNs: 5 * MS });
    expect(h.wake(x, 60 * MS).tickle).toEqual([2]);
    expect(s).toMatchObject({ deadlNs: 80 * MS, cputimeNs: 0, wantPen: false });
    expect(h.picks.at(-1)).toMatchObject({ atNs: 60 * MS, vcpu: 0, sliceNs: 15 * MS });
  });

  it('does not tickle a running EDF VCPU unless the wakee is released before its slice ends', () => {
    // A: 20/15 hog. B: 100/2, woken by hand.
    const h = host([{ ...DOM0, at: [5] }, { periodNs: 100 * MS, sliceNs: 2 * MS, at: [5] }]);
    const [a, b] = h.vcpus as [SchedVcpu, SchedVcpu];
    h.boot();
    h.wake(a, 0);
    h.runUntil(20 * MS); // A runs EDF 15..30 ms
    // B's first wake at 20 ms: deadline 20 + 2 → short unblock → 122 ms,
    // released at 22 ms, before A's slice ends at 30 ms: reschedule, and A's
    // slice is cut at B's release.
    expect(h.wake(b, 20 * MS).tickle).toEqual([5]);
    expect(h.picks.at(-1)).toMatchObject({ atNs: 20 * MS, vcpu: 0, sliceNs: 2 * MS });
    h.runUntil(30 * MS);
    // A (deadline 35) ran on to 30 ms; then B (deadline 122) gets its 2 ms.
    expect(h.picks.at(-1)).toMatchObject({ atNs: 30 * MS, vcpu: 1, sliceNs: 2 * MS });
    h.block(b, 31 * MS); // 1 ms of its 2 ms used
    h.runUntil(35 * MS);
    expect(h.picks.at(-1)).toMatchObject({ atNs: 35 * MS, vcpu: 0, sliceNs: 15 * MS });
    // B wakes at 40 ms (short: before 122 ms): next release 122 ms, after
    // A's slice ends at 50 ms, so the running EDF VCPU is left alone.
    expect(h.wake(b, 40 * MS).tickle).toEqual([]);
    expect(h.policy.vc[1]).toMatchObject({ deadlNs: 222 * MS, shortBlockLostNs: 1 * MS, wantPen: true });
    expect(h.policy.vc[1]!.score[PEN_Q]).toBe(102_400);
    // At 50 ms A waits for 55 ms and B's L0 claim comes before L1.
    h.runUntil(50 * MS);
    expect(h.picks.at(-1)).toMatchObject({ atNs: 50 * MS, vcpu: 1, sliceNs: EXTRA_QUANTUM_NS });
    expect(h.policy.vc[1]!.extraRun).toBe(PEN_Q);
  });

  it('an L1 extra-time VCPU is preempted by a wakee that wants L0', () => {
    const h = host([{ ...DOM0, at: [6] }, { periodNs: 100 * MS, sliceNs: 2 * MS, at: [6] }]);
    const [a, b] = h.vcpus as [SchedVcpu, SchedVcpu];
    h.boot();
    h.wake(a, 0);
    h.wake(b, 20 * MS);
    h.runUntil(30 * MS);
    h.block(b, 31 * MS);
    // A runs L1 extra time from 31 ms until its release at 35 ms.
    expect(h.picks.at(-1)).toMatchObject({ atNs: 31 * MS, vcpu: 0, sliceNs: EXTRA_QUANTUM_NS });
    expect(h.policy.vc[0]!.extraRun).toBe(UTIL_Q);
    expect(h.wake(b, 31 * MS + 200 * US).tickle).toEqual([6]);
    expect(h.picks.at(-1)).toMatchObject({ vcpu: 1, sliceNs: EXTRA_QUANTUM_NS });
    expect(h.policy.vc[1]!.extraRun).toBe(PEN_Q);
  });

  it('an L0 extra-time VCPU is preempted only by a wakee with a strictly lower L0 score (should_switch)', () => {
    // A: 20/15 hog. B and C: 100/2 ms, on A's PCPU. B loses 1 ms of its slice (L0 score (100 ms << 10) / 1 ms =
    // 102,400) and runs its L0 quantum at 50 ms; C, which used `usedCNs` of its slice, wakes 200 µs into that quantum.
    const run = (usedCNs: number) => {
      const h = host([{ ...DOM0, at: [5] }, { periodNs: 100 * MS, sliceNs: 2 * MS, at: [5] }, { periodNs: 100 * MS, sliceNs: 2 * MS, at: [5] }]);
      const [a, b, c] = h.vcpus as [SchedVcpu, SchedVcpu, SchedVcpu];
      h.boot();
      h.wake(a, 0);
      h.runUntil(20 * MS);
      h.wake(b, 20 * MS);
      h.wake(c, 20 * MS);
      h.runUntil(30 * MS);
      // B, then C, run EDF from 30 ms; each blocks part-way through its 2 ms slice.
      expect(h.picks.at(-1)).toMatchObject({ atNs: 30 * MS, vcpu: 1 });
      h.block(b, 31 * MS);
      expect(h.picks.at(-1)).toMatchObject({ atNs: 31 * MS, vcpu: 2 });
      h.block(c, 31 * MS + usedCNs);
      h.runUntil(40 * MS);
      expect(h.wake(b, 40 * MS).tickle).toEqual([]);
      h.runUntil(50 * MS);
      expect(h.picks.at(-1)).toMatchObject({ atNs: 50 * MS, vcpu: 1, sliceNs: EXTRA_QUANTUM_NS });
      expect(h.policy.vc[1]!.extraRun).toBe(PEN_Q);
      expect(h.policy.vc[1]!.score[PEN_Q]).toBe(102_400);
      const r = h.wake(c, 50 * MS + 200 * US);
      expect(h.policy.vc[2]!.wantPen).toBe(true);
      return { tickle: r.tickle, scoreC: h.policy.vc[2]!.score[PEN_Q], last: h.picks.at(-1)! };
    };
    // C lost 1.5 ms: score 68,266 < 102,400, so it takes the PCPU for its own L0 quantum.
    const lower = run(500 * US);
    expect(lower.scoreC).toBe(68_266);
    expect(lower.tickle).toEqual([5]);
    expect(lower.last).toMatchObject({ atNs: 50 * MS + 200 * US, vcpu: 2, sliceNs: EXTRA_QUANTUM_NS });
    // C lost 1 ms, as B did: an equal score does not preempt.
    const equal = run(1 * MS);
    expect(equal.scoreC).toBe(102_400);
    expect(equal.tickle).toEqual([]);
    // C lost 0.5 ms: score 204,800, higher, so B keeps its quantum.
    const higher = run(1500 * US);
    expect(higher.scoreC).toBe(204_800);
    expect(higher.tickle).toEqual([]);
    expect(higher.last).toMatchObject({ atNs: 50 * MS, vcpu: 1 });
  });

  it('a VCPU woken again before its PCPU descheduled it keeps running', () => {
    const h = host([{ ...DOMU, at: [3] }]);
    const v = h.vcpus[0]!;
    h.boot();
    h.wake(v, 0);
    h.runUntil(1 * MS);
    v.runState = 'blocked';
    expect(h.policy.sleep(v, 1 * MS).tickle).toEqual([3]);
    expect(h.policy.wake(v, 1 * MS, null).tickle).toEqual([]);
    v.runState = 'runnable';
    expect(h.resched(3, 1 * MS)).toMatchObject({ vcpu: 0, sliceNs: EXTRA_QUANTUM_NS });
  });
});
