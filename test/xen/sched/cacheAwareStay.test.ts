// Opt A leaves a wakee that already shares its waker's L2 on its own core (f8755a0) — but not when that core is
// busy with a VCPU the wakee cannot preempt while another core of the L2 idles: queued there with nobody
// tickled, it waited out that VCPU's slice (the first-peer pick it replaced ran it at once on the idle core).
import { describe, expect, it } from 'vitest';
import { CacheAwareCredit } from '../../../src/xen/sched/cacheAware.ts';
import { XEN31_CREDIT } from '../../../src/xen/sched/creditParams.ts';
import type { HostView, SchedDomain, SchedVcpu } from '../../../src/xen/sched/policy.ts';
import { Topology } from '../../../src/xen/topology.ts';

/** One 3-core L2: Dom0 (pinned to PCPU0) and a DomU VCPU on PCPU2 detected as an I/O pair; a hog pinned to PCPU2. */
function pair() {
  const topology = new Topology({ sockets: 1, l2PerSocket: 1, coresPerL2: 3, clockGHz: 2 });
  const mk = (id: number, processor: number, affinity: number[] | null): SchedVcpu => ({ id, domId: id, index: 0, processor, affinity, runState: 'blocked' });
  const [d0, du, hog] = [mk(0, 0, [0]), mk(1, 2, null), mk(2, 2, [2])] as [SchedVcpu, SchedVcpu, SchedVcpu];
  const sedf = { periodNs: 1, sliceNs: 0, extratime: true };
  const domains: SchedDomain[] = [0, 1, 2].map((id) => ({ id, name: `d${id}`, weight: 256, cap: 0, vcpus: [id], sedf }));
  const current: (SchedVcpu | null)[] = [null, null, null];
  const policy = new CacheAwareCredit(XEN31_CREDIT, { threshold: 5 }, { cacheAware: true, creditSteal: false });
  policy.init({ topology, vcpus: [d0, du, hog], domains, current: (p) => current[p]! } as HostView);
  for (let i = 0; i < 10; i++) {
    policy.ioEvent(d0, du);
    policy.ioEvent(du, d0);
    policy.wake(du, 0, d0);
    policy.sleep(du, 0);
    policy.wake(d0, 0, du);
    policy.sleep(d0, 0);
  }
  for (let i = 0; i < 3; i++) policy.tick(0, 0); // end of the detection period
  current[0] = d0;
  d0.runState = 'running';
  du.processor = 2;
  return { policy, current, d0, du, hog };
}

describe('Opt A, a wakee already in its waker’s L2', () => {
  it('stays on its own core when that core is free', () => {
    const { policy, d0, du } = pair();
    expect(policy.io.partner.get(du.id)).toBe(d0.id);
    const r = policy.wake(du, 0, d0);
    expect(du.processor).toBe(2);
    expect(r.tickle).toEqual([2]);
  });

  it('goes to an idle core of the L2 when its own runs a VCPU it cannot preempt', () => {
    const { policy, current, d0, du, hog } = pair();
    // The hog was just woken: BOOST, as the wakee will be; PCPU1 idles.
    policy.wake(hog, 0, null);
    policy.schedule(2, null, false, 0, 0);
    current[2] = hog;
    hog.runState = 'running';
    const r = policy.wake(du, 0, d0);
    expect(du.processor).toBe(1);
    expect(r.tickle).toEqual([1]);
  });

  it('stays on its waker’s own core when every other core of the L2 is busy (it bounced to a busy peer and back)', () => {
    const { policy, current, d0, du, hog } = pair();
    // PCPU1 runs the hog (moved there), PCPU2 is busy too; the wakee last ran on the waker's PCPU0.
    current[1] = hog;
    hog.runState = 'running';
    current[2] = { id: 9, domId: 9, index: 0, processor: 2, affinity: null, runState: 'running' } as SchedVcpu;
    du.processor = 0;
    du.affinity = null;
    policy.wake(du, 0, d0);
    expect(du.processor).toBe(0);
  });
});
