// csched_cpu_pick (sched_credit.c, Xen 3.1): start at the VCPU's own PCPU, counted as idle, and walk the other
// idle PCPUs it may run on (__cycle_cpu); move only to a package with strictly more idle cores. Siblings are the
// CPU itself on Clovertown, so within a package every idler weighs one.
import type { Topology } from '../topology.ts';

/** __cycle_cpu(cpu, mask): the next PCPU of the mask after cpu, wrapping to the first (undefined if none). */
export function cycleCpu(cpu: number, n: number, inMask: (p: number) => boolean): number | undefined {
  for (let k = 1; k <= n; k++) {
    const p = (cpu + k) % n;
    if (inMask(p)) return p;
  }
  return undefined;
}

export function cschedCpuPick(topo: Topology, processor: number, idlers: readonly number[], allowed: (p: number) => boolean): number {
  const n = topo.pcpuCount;
  // "giving a preference to its current processor if it's in there", else __cycle_cpu(vc->processor, &cpus).
  let cpu = allowed(processor) ? processor : cycleCpu(processor, n, allowed)!;
  const idle = new Set(idlers);
  idle.add(cpu);
  let cands = [...idle].filter((p) => p !== cpu && allowed(p));
  const idleIn = (pred: (p: number) => boolean) => [...idle].filter(pred).length;
  while (cands.length > 0) {
    // __cycle_cpu: next candidate after cpu, wrapping.
    const nxt = cands.find((p) => p > cpu) ?? cands[0]!;
    const samePkg = topo.socketOf(nxt) === topo.socketOf(cpu);
    const wCpu = samePkg ? 1 : idleIn((p) => topo.socketOf(p) === topo.socketOf(cpu));
    const nxtIdlers = samePkg ? [nxt] : [...idle].filter((p) => topo.socketOf(p) === topo.socketOf(nxt));
    const wNxt = nxtIdlers.length;
    if (wCpu < wNxt) {
      cpu = nxt;
      cands = cands.filter((p) => p !== nxt);
    } else {
      cands = cands.filter((p) => !nxtIdlers.includes(p));
    }
  }
  return cpu;
}
