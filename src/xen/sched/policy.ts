// The scheduler policy contract: plain modules that return
// decisions as data. A policy never sets timers, reads a clock or logs; the
// host runtime and the PCPU actors carry its decisions out.
import type { Topology } from '../topology.ts';

export type Priority = 'BOOST' | 'UNDER' | 'OVER' | 'IDLE';

/** Xen 3.1 numeric priorities (sched_credit.c CSCHED_PRI_*). */
export const PRI = { BOOST: 0, UNDER: -1, OVER: -2, IDLE: -64 } as const;

export interface SchedDomain {
  id: number;
  name: string;
  weight: number;
  /** Percent of one PCPU; 0 = no cap. */
  cap: number;
  vcpus: number[];
  /** SEDF parameters (ns); ignored by credit. */
  sedf: SedfParams;
}

/** What a policy may read of a VCPU; the host runtime owns it. */
export interface SchedVcpu {
  id: number;
  domId: number;
  /** Index within its domain. */
  index: number;
  /** v->processor: the PCPU it runs on, or is queued on, or last ran on. */
  processor: number;
  /** null = any PCPU. */
  affinity: number[] | null;
  runState: 'blocked' | 'runnable' | 'running';
}

/** Read-only view of the host a policy decides on. */
export interface HostView {
  readonly topology: Topology;
  readonly vcpus: readonly SchedVcpu[];
  readonly domains: readonly SchedDomain[];
  /** VCPU running on a PCPU now, or null when it runs its idle VCPU. */
  current(pcpu: number): SchedVcpu | null;
}

export interface PickResult {
  next: SchedVcpu | null;
  /** How long until the PCPU must reschedule (ns). */
  sliceNs: number;
  /** Set when the pick moved the VCPU from another PCPU's queue (work stealing). */
  stolenFrom?: number;
}

export interface WakeResult {
  /** PCPUs that must run their scheduler (SCHEDULE_SOFTIRQ / IPI). */
  tickle: number[];
  boosted: boolean;
}

export interface TickResult {
  tickle: number[];
}

export interface PolicyStats {
  boosts: number;
  /** Credit moved by Opt B (credit stealing); 0 elsewhere. */
  creditStolen: number;
}

export interface SchedPolicy {
  readonly name: string;
  /** After the host unpaused a VCPU the policy parked (credit caps): it may now be boosted on later wakes. */
  unparked?(v: SchedVcpu): void;
  /** Credit moved to the domain's I/O VCPUs so far by Opt B (credit stealing); absent where it cannot happen. */
  creditStolenBy?(domId: number): number;
  /** Period of the per-PCPU scheduler tick (ns), or null if the policy has none. */
  readonly tickNs: number | null;
  init(view: HostView): void;
  /** A blocked (or new) VCPU becomes runnable; `waker` is the VCPU whose event woke it, if any. */
  wake(v: SchedVcpu, nowNs: number, waker: SchedVcpu | null): WakeResult;
  /** v blocks (it was running on v.processor, or queued). */
  sleep(v: SchedVcpu, nowNs: number): TickResult;
  /**
   * The PCPU reschedules. `prev` is what ran there (null = idle); `prevRunnable`
   * says whether it still wants to run (preempted/yielded rather than blocked).
   */
  schedule(pcpu: number, prev: SchedVcpu | null, prevRunnable: boolean, nowNs: number, ranNs: number): PickResult;
  /** The per-PCPU tick fired (credit: accounting, BOOST end, migration check). */
  tick(pcpu: number, nowNs: number): TickResult;
  /**
   * After v was descheduled: if the policy flagged it for migration, where it
   * goes now (possibly where it is; it is then re-woken there), else undefined.
   */
  migrateTarget?(v: SchedVcpu): number | undefined;
  /** An event-channel send from one VCPU to another (whether or not it wakes the target). */
  ioEvent?(from: SchedVcpu, to: SchedVcpu): void;
  priority(v: SchedVcpu): Priority;
  credit(v: SchedVcpu): number;
  runqLength(pcpu: number): number;
  stats(): PolicyStats;
}

/** A domain's SEDF parameters (sched_sedf.c). */
export interface SedfParams {
  periodNs: number;
  sliceNs: number;
  extratime: boolean;
  /**
   * L1 extra-time weight: sedf_init_vcpu's 1 unless the domain was set with `xm sched-sedf`, whose
   * sedf_adjust zeroes it; with 0 the L1 score is the domain's utilisation, (period << 10) / slice.
   */
  extraWeight?: number;
}
