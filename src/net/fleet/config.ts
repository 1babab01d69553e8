// What a worker needs to build a fleet (net.fleet): resolved hosts with their
// DomUs, links and switches, the flow table and the applications. Plain,
// structured-cloneable data built once by the scenario adapter; shared by every
// host and never changed by a run (checkpoints do not enter it).
import type { SchedulerSpec } from '../../xen/sched/index.ts';
import type { TopologyConfig } from '../../xen/topology.ts';
import type { CostModel } from '../costs.ts';
import type { NetbackConfig } from '../netback.ts';
import type { FrameSizes } from '../frames.ts';
import type { NetfrontConfig } from '../netfront.ts';
import type { NicRxConfig } from '../nicRx.ts';
import type { StackOptions } from './guestStack.ts';

export interface DomSpec {
  vcpus: number;
  weight: number;
  cap: number;
}

export interface FleetHostSpec {
  name: string;
  rack: number;
  /** Position under its ToR (the ToR's port toward it). */
  port: number;
  topology: TopologyConfig;
  dom0: DomSpec;
  domus: DomSpec[];
  /** Initial PCPU of every VCPU, Dom0 first (Xen's placement: Dom0 VCPU i on PCPU i, others least loaded). */
  placement: number[][];
}

/** What every fleet host shares: the network path's settings under `net` (costs, queues, TCP, scheduler). */
export interface FleetHostParams {
  scheduler: SchedulerSpec;
  contextSwitchCycles: number;
  costs: CostModel;
  nic: NicRxConfig;
  netback: NetbackConfig;
  netfront: NetfrontConfig;
  netdevBudget: number;
  netdevMaxBacklog: number;
  bridge: 'linux' | 'simple';
  /** default: the NIC and every vif's event channel on Dom0 VCPU0; irqbalance: vif g on VCPU 1 + g. */
  irqBinding: 'default' | 'irqbalance';
  nicIrqVcpu: number;
  dom0TimerNs: number;
  dom0TimerCycles: number;
  recvBytes: number;
  readChunkBytes: number;
  stack: StackOptions;
  /** The guests' eth0 and Dom0's peth0 tx_queue_len (1000), the TX ring (256) and its reserve (MAX_SKB_FRAGS + 2). */
  txqueuelen: number;
  txRingSlots: number;
  txReserveSlots: number;
  /** netback's MAX_PENDING_REQS (256), and MAX_SKB_FRAGS (18) that net_tx_action keeps free of it. */
  maxPendingReqs: number;
  maxSkbFrags: number;
}

export type BufferSpec = { mode: 'per-port'; bytes: number } | { mode: 'shared'; bytes: number; alpha: number };

export interface SwitchSpec {
  forwardingLatencyNs: number;
  buffer: BufferSpec;
}

export interface LinkSpec {
  rateBitsPerSec: number;
  latencyNs: number;
}

/** Flow roles: a bulk connection, or the request / response direction of a request-response pair. */
export const ROLE = { bulk: 0, request: 1, response: 2 } as const;

/** The flow table, indexed by global flow id (typed arrays: a fleet may have tens of thousands). */
export interface FlowTable {
  count: number;
  srcHost: Int32Array;
  srcGuest: Int32Array;
  dstHost: Int32Array;
  dstGuest: Int32Array;
  /** Index into FleetConfig.apps. */
  app: Int32Array;
  role: Int8Array;
  /** Request flows: the response flow of the same pair; response flows: the request flow; bulk: -1. */
  peer: Int32Array;
  /** Incast: the round group (aggregator) of a request/response pair; -1 otherwise. */
  group: Int32Array;
}

export interface AppSpec {
  kind: 'bulk' | 'rr' | 'incast';
  /** iperf -l of writers (bytes per write()). */
  messageBytes: number;
  /** Segments of one request and of one response (request/response and incast). */
  requestSegs: number;
  responseSegs: number;
  /** The request's and the response's application bytes (0 for bulk): what goodput counts of their segments. */
  requestBytes: number;
  responseBytes: number;
  phases: { durationNs: number; active: boolean; messageBytes: number }[];
}

export interface FleetConfig {
  params: FleetHostParams;
  /** The Xen hosts, host index = position; ToR r is host hosts.length + r, the aggregation switch follows. */
  hosts: FleetHostSpec[];
  racks: { name: string; hosts: number[] }[];
  hostLink: LinkSpec;
  /** Per rack: its ToR's uplink to the aggregation switch (null with a single rack: no aggregation switch). */
  uplinks: LinkSpec[] | null;
  tor: SwitchSpec;
  aggregation: SwitchSpec | null;
  flows: FlowTable;
  apps: AppSpec[];
  /** Incast round groups: the aggregator's host and guest. */
  groups: { host: number; guest: number }[];
  perDomUMetrics: boolean;
  sampleNs: number;
  /** Frame sizes of the fleet's MSS. */
  frames: FrameSizes;
}

/**
 * The DomUs of `host` that receive some flow (bulk data or responses; a request flow's server is not counted):
 * the population whose goodput the results and the goodput histogram describe.
 */
export function receivingGuests(f: FleetConfig, host: number): Set<number> {
  const t = f.flows;
  const out = new Set<number>();
  for (let i = 0; i < t.count; i++) if (t.dstHost[i] === host && t.role[i] !== ROLE.request) out.add(t.dstGuest[i]!);
  return out;
}

export const torHostIndex = (f: FleetConfig, rack: number) => f.hosts.length + rack;
export const aggHostIndex = (f: FleetConfig) => f.hosts.length + f.racks.length;
export const fleetHostCount = (f: FleetConfig) => f.hosts.length + f.racks.length + (f.aggregation ? 1 : 0);

/** Where a run of `flow` goes: data to the receiver, ACKs back to the sender. */
export function runDestHost(t: FlowTable, flow: number, isAck: boolean): number {
  return isAck ? t.srcHost[flow]! : t.dstHost[flow]!;
}

export function runDestGuest(t: FlowTable, flow: number, isAck: boolean): number {
  return isAck ? t.srcGuest[flow]! : t.dstGuest[flow]!;
}

/**
 * Round trip of a small frame (a SYN, an ACK) between two hosts' NICs: the links' latencies and serialization
 * and the switches' forwarding latencies, both ways; 0 between DomUs of one host. What the SYN exchange
 * measures on a quiet path (Dom0's and the guests' work aside), so each connection's first RTT sample.
 */
export function pathRttNs(f: FleetConfig, a: number, b: number): number {
  if (a === b) return 0;
  const small = f.frames.ackWireBytes * 8e9;
  const hop = (l: LinkSpec) => small / l.rateBitsPerSec + l.latencyNs;
  const ra = f.hosts[a]!.rack;
  const rb = f.hosts[b]!.rack;
  let oneWay = 2 * hop(f.hostLink) + f.tor.forwardingLatencyNs;
  if (ra !== rb && f.uplinks && f.aggregation) oneWay += hop(f.uplinks[ra]!) + f.aggregation.forwardingLatencyNs + hop(f.uplinks[rb]!) + f.tor.forwardingLatencyNs;
  return 2 * oneWay;
}
