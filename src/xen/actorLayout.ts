// Where a Xen host's actors sit in its local actor index space (host.localActorId).
/**
 * Local actor index layout: PCPUs 0–63, then VCPUs from 64, then the host's own timers just below 4096 and
 * whatever the network path or the workloads add from 4096. A larger host's PCPUs from the 64th, and VCPUs
 * past what fits below the timers, take ids in a high range instead, so every host that fits keeps its ids
 * (and its event order).
 */
export const VCPU_ACTOR_BASE = 64;
export const NET_ACTOR_BASE = 4096;
const LOW_PCPUS = VCPU_ACTOR_BASE;
const LOW_VCPUS = NET_ACTOR_BASE - 3 - VCPU_ACTOR_BASE;
const HIGH_PCPU_BASE = 1 << 19;
const HIGH_VCPU_BASE = HIGH_PCPU_BASE + 4096;
/** Most VCPUs one host can have: the last takes the host's last actor id (HOST_ID_STRIDE, 2^20). */
export const MAX_HOST_VCPUS = (1 << 20) - HIGH_VCPU_BASE;

export function pcpuActorIndex(p: number): number {
  return p < LOW_PCPUS ? p : HIGH_PCPU_BASE + p;
}

export function vcpuActorIndex(id: number): number {
  return id < LOW_VCPUS ? VCPU_ACTOR_BASE + id : HIGH_VCPU_BASE + id;
}
