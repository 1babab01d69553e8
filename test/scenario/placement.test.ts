// Where Xen 3.1 starts VCPUs (domain_build.c, domctl.c XEN_DOMCTL_max_vcpus,
// and SEDF's boot-time re-pick of a guest's VCPU0).
import { describe, expect, it } from 'vitest';
import { defaultPlacement, hostConfig } from '../../src/scenario/xenScenario.ts';
import { xenHostSchema } from '../../src/scenario/xenSchema.ts';
import { cschedCpuPick } from '../../src/xen/sched/cpuPick.ts';
import { PAPER_SUT, Topology } from '../../src/xen/topology.ts';

const dom = (vcpus: number, placement?: number[]) => ({ vcpus, placement }) as never;

describe('defaultPlacement', () => {
  it('credit: Dom0 VCPU i on PCPU i; the guest VCPU0 on the least-populated PCPU, highest number first; VCPU i after VCPU i-1', () => {
    expect(defaultPlacement([dom(8), dom(1)], 8, 'credit')).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [7]]);
    expect(defaultPlacement([dom(8), dom(3)], 8, 'credit')[1]).toEqual([7, 0, 1]);
    // A second guest counts the first one's VCPUs: PCPU 7 holds two, so 6.
    expect(defaultPlacement([dom(8), dom(1), dom(1)], 8, 'credit')[2]).toEqual([6]);
  });
  it('SEDF: time_init re-picks the guest VCPU0 with sedf_pick_cpu, the first PCPU of its affinity (PCPU0); the others stay', () => {
    expect(defaultPlacement([dom(8), dom(1)], 8, 'sedf')).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [0]]);
    expect(defaultPlacement([dom(8), dom(3)], 8, 'sedf')[1]).toEqual([0, 0, 1]);
  });
  it('an explicit placement is taken as it is, under either scheduler', () => {
    expect(defaultPlacement([dom(8), dom(1, [7])], 8, 'sedf')[1]).toEqual([7]);
    expect(defaultPlacement([dom(8), dom(2, [3, 5])], 8, 'credit')[1]).toEqual([3, 5]);
  });
  it('a VCPU outside its pin goes where vcpu_set_affinity → vcpu_migrate → pick_cpu puts it, before the next domain is placed', () => {
    const place = (policy: 'credit' | 'sedf', pin: unknown, more: object[] = []) =>
      hostConfig(xenHostSchema.parse({ scheduler: { policy }, domains: [{ name: 'dom0' }, { name: 'g', vcpus: 2, pin, workload: { kind: 'cpu-hog' } }, ...more] }), 'test.yaml', 'xen.hosts.0').domains.map((d) => d.placement);
    // SEDF: sedf_pick_cpu is the lowest PCPU of the affinity, however the list is written. VCPU1 starts on
    // PCPU0 (after VCPU0's PCPU7): both VCPUs share PCPU2, as on Xen; SEDF never balances them apart.
    expect(place('sedf', [3, 2])[1]).toEqual([2, 2]);
    expect(place('sedf', [[5, 4], [7, 6]])[1]).toEqual([4, 6]);
    // Credit: csched_cpu_pick cycles from the VCPU's PCPU to the next allowed one (__cycle_cpu): VCPU0 from 7
    // wraps to 2, VCPU1 from 0 to 2.
    expect(place('credit', [5, 2])[1]).toEqual([2, 2]);
    expect(place('credit', [[3, 6], [6, 3]])[1]).toEqual([3, 3]);
    // default_vcpu0_location counts a moved VCPU where it runs: with g on PCPU2, the next guest takes PCPU7.
    expect(place('credit', [2], [{ name: 'h' }])[2]).toEqual([7]);
  });
});

describe('csched_cpu_pick when the VCPU\'s PCPU is outside its affinity', () => {
  it('starts from __cycle_cpu(v->processor, affinity), the next allowed PCPU after it, not the lowest', () => {
    const topo = new Topology(PAPER_SUT);
    const busy = new Set([0, 1, 2, 3, 4, 5, 6, 7]);
    const idlers: number[] = [...Array(8).keys()].filter((p) => !busy.has(p));
    expect(cschedCpuPick(topo, 3, idlers, (p) => p === 1 || p === 5)).toBe(5);
    expect(cschedCpuPick(topo, 6, idlers, (p) => p === 1 || p === 5)).toBe(1);
  });
});
