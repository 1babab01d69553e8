// Where Xen 3.1 starts VCPUs (domain_build.c, domctl.c XEN_DOMCTL_max_vcpus,
// and SEDF's boot-time re-pick of a guest's VCPU0).
import { describe, expect, it } from 'vitest';
import { defaultPlacement } from '../../src/scenario/xenScenario.ts';

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
});
