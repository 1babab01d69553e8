// csched_cpu_pick (sched_credit.c, Xen 3.1): start at the VCPU's own PCPU, counted as idle, and walk the other
// idle PCPUs it may run on (__cycle_cpu); move only to a package with strictly more idle cores. Siblings are the
// CPU itself on Clovertown, so within a package every idler weighs one.
import type { Topology } from '../topology.ts';

export function cschedCpuPick(topo: Topology, processor: number, idlers: readonly number[], allowed: (p: number) => boolean): number {
  const n = topo.pcpuCount;
  let cpu = allowed(processor) ? processor : [...Array(n).keys()].find(allowed)!;
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
