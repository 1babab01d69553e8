// Cost model of the receive path: cycles per packet and per
// byte for each stage, a common scale on the Table 1 costs (docs/model.md,
// calibration), and cache-locality factors by where the data was last touched.
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
  /**
   * Share of the I/O channel's cost that is the payload copy into the guest's
   * buffer (the rest is hypercall entry/exit and grant bookkeeping): only this
   * share depends on where the guest's buffers were last touched.
   */
  ioChannelCopyShare: number;
  /** Cache distance between the copying Dom0 VCPU and the guest under which Table 1 was measured (Xen's default placement). */
  table1Distance: Distance;
  /**
   * Bytes a data packet's grant copy moves relative to Table 1's full 1500-byte
   * frames: (MSS + 66) / 1514 (derived from net.mssBytes, not set by hand; 1
   * when absent). The copy share scales with it, so jumbo or small segments copy
   * what they carry while the per-packet hypercall and grant work stays.
   */
  copyBytesRatio?: number;
  /** Cycles to take one event-channel notification in the receiving kernel (upcall + handler). */
  eventChannelCycles: number;
  /** The guest's TCP output per data segment (tcp_transmit_skb → ip_queue_xmit → dev_queue_xmit). */
  stackTxDataCyclesPerPacket: number;
  /** The guest's tcp_ack per incoming ACK. */
  stackAckRxCyclesPerPacket: number;
  /** iperf client write(): syscall and tcp_sendmsg per call, copy from user per byte. */
  writeSyscallCycles: number;
  copyFromUserCyclesPerByte: number;
}

/** Effective per-packet cycles of a Table 1 cost after the common scale. */
export function scaled(costs: CostModel, table1Cycles: number): number {
  return table1Cycles * costs.table1Scale;
}

export function cacheFactor(costs: CostModel, d: Distance): number {
  return costs.cacheFactor[d];
}

/**
 * Multiplier on the (scaled) I/O-channel cost when the copy runs at distance
 * `d` from the guest's PCPU: Table 1 measured it at `table1Distance`, so only
 * the copy share moves, by the ratio of the cache factors.
 */
export function ioChannelFactor(costs: CostModel, d: Distance): number {
  const share = costs.ioChannelCopyShare;
  return 1 - share + (share * (costs.copyBytesRatio ?? 1) * costs.cacheFactor[d]) / costs.cacheFactor[costs.table1Distance];
}
