// What a Xen host is built from (its spec) and the runtime records the host
// keeps per VCPU and per PCPU; src/xen/host.ts carries out the decisions on them.
import type { createPcpuMachine } from '../../actors/pcpu.ts';
import type { createVcpuMachine } from '../../actors/vcpu.ts';
import type { TimerHandle } from '../kernel/sim.ts';
import type { XStateActor } from '../kernel/xstateHost.ts';
import type { SchedDomain, SchedVcpu, SedfParams } from './sched/policy.ts';
import type { TopologyConfig } from './topology.ts';
import type { GuestWork, WorkContext } from './work.ts';

export interface XenCosts {
  /** Cycles a PCPU spends switching to a different VCPU (input). */
  contextSwitchCycles: number;
}

export interface DomainSpec {
  name: string;
  weight: number;
  cap: number;
  vcpus: number;
  /** Per VCPU: allowed PCPUs (null = any). */
  affinity: (number[] | null)[];
  /** Per VCPU: initial PCPU (v->processor). */
  placement: number[];
  sedf: SedfParams;
}

export interface XenHostSpec {
  name: string;
  topology: TopologyConfig;
  costs: XenCosts;
  domains: DomainSpec[];
}

export interface VcpuRt extends SchedVcpu {
  name: string;
  dom: SchedDomain;
  guest: GuestWork;
  actor: XStateActor<ReturnType<typeof createVcpuMachine>>;
  paused: boolean;
  wokenAtNs: number | null;
  /** Start of the run interval not yet in the stats and the timeline (moved on at the end of warm-up). */
  runStartNs: number;
  /** When it was last picked to run (sched_start_abs): what the policy is told it ran. */
  schedStartNs: number;
}

export interface PcpuRt {
  id: number;
  actorId: number;
  actor: XStateActor<ReturnType<typeof createPcpuMachine>>;
  current: VcpuRt | null;
  softirqPending: boolean;
  /** Inside doSchedule: a reschedule raised now (a migrated prev's wake) is timed once the switch has started. */
  scheduling: boolean;
  /** Since when the PCPU has run its idle VCPU (for the timeline). */
  idleSinceNs: number;
  sliceTimer: TimerHandle | null;
  completion: TimerHandle | null;
  execStartNs: number;
  overheadCycles: number;
  /**
   * The VCPU whose state this PCPU holds (per_cpu(curr_vcpu)): Xen switches lazily, leaving a VCPU's
   * state loaded while the idle VCPU runs, so picking it again costs no context switch.
   */
  loaded: VcpuRt | null;
  /** The context handed to this PCPU's work sources (its time refreshed at each use; sources read it at once). */
  work: WorkContext;
}
