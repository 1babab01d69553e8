// Cost model of the receive path (ARCHITECTURE §5): cycles per packet and per
// byte for each stage, a common scale on the Table 1 costs (PAPER.md
// "Tension"), and cache-locality factors by where the data was last touched.
import type { Distance } from '../xen/topology.ts';

export interface CostModel {
  /** Common scale on Table 1's per-packet costs (bridge, I/O channel, simple bridge): calibrated. */
  table1Scale: number;
  /** Table 1: Linux bridge incl. bridge-netfilter, 11K cycles per packet. */
  bridgeCyclesPerPacket: number;
  /** §6.1 profile of the Linux bridge: pure switching 600 and jhash 120 cycles of the 11K (the rest is bridge-netfilter). */
  bridgeSwitchingCyclesPerPacket: number;
  jhashCyclesPerPacket: number;
  /** §6.1: the tailored bridge, 1.2K cycles per packet. */
  simpleBridgeCyclesPerPacket: number;
  /** Table 1: I/O channel in data-copy mode (grant copy + hypercalls), 8.5K cycles per packet. */
  ioChannelCyclesPerPacket: number;
  nicRxCyclesPerPacket: number;
  nicTxCyclesPerPacket: number;
  /** IP receive on the interrupt CPU before TCP (natively and in Dom0). */
  ipRxCyclesPerPacket: number;
  stackRxCyclesPerPacket: number;
  stackTxCyclesPerPacket: number;
  netfrontRxCyclesPerPacket: number;
  netfrontTxCyclesPerPacket: number;
  netbackTxCyclesPerPacket: number;
  netloopCyclesPerPacket: number;
  copyToUserCyclesPerByte: number;
  readSyscallCycles: number;
  /** Multiplier on per-byte work when the data was produced on a PCPU at this distance. */
  cacheFactor: Record<Distance, number>;
  eventChannelCycles: number;
}

/** Effective per-packet cycles of a Table 1 cost after the common scale. */
export function scaled(costs: CostModel, table1Cycles: number): number {
  return table1Cycles * costs.table1Scale;
}

export function cacheFactor(costs: CostModel, d: Distance): number {
  return costs.cacheFactor[d];
}
