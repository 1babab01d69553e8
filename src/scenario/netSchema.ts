// YAML schema of the network-path model: SUT configuration, link, stressor,
// TCP, queues and the cost model. Defaults are the paper's setup (PAPER.md)
// and the Linux 2.6.18 / Xen 3.1 constants (XEN_DIGEST.md).
import { z } from 'zod';
import { durationNs, nonNegInt, posInt } from './fields.ts';
import { schedulerSchema, topologySchema } from './xenSchema.ts';

const cycles = z.number().nonnegative();

export const costsSchema = z
  .object({
    table1Scale: z.number().positive().default(1),
    bridgeCyclesPerPacket: cycles.default(11000),
    simpleBridgeCyclesPerPacket: cycles.default(1200),
    bridgeSwitchingCyclesPerPacket: cycles.default(600),
    jhashCyclesPerPacket: cycles.default(120),
    ioChannelCyclesPerPacket: cycles.default(8500),
    nicRxCyclesPerPacket: cycles.default(700),
    nicTxCyclesPerPacket: cycles.default(500),
    ipRxCyclesPerPacket: cycles.default(300),
    stackRxCyclesPerPacket: cycles.default(1200),
    stackTxCyclesPerPacket: cycles.default(800),
    netfrontRxCyclesPerPacket: cycles.default(800),
    netfrontTxCyclesPerPacket: cycles.default(500),
    netbackTxCyclesPerPacket: cycles.default(1200),
    netloopCyclesPerPacket: cycles.default(300),
    copyToUserCyclesPerByte: cycles.default(0.5),
    readSyscallCycles: cycles.default(2000),
    eventChannelCycles: cycles.default(1500),
    cacheFactor: z
      .object({
        same_core: z.number().positive().default(1),
        same_l2: z.number().positive().default(1),
        same_socket: z.number().positive().default(2),
        cross_socket: z.number().positive().default(2.6),
      })
      .strict()
      .default({}),
  })
  .strict();

export const netSection = z
  .object({
    sut: z.enum(['linux', 'dom0', 'domu']).default('domu'),
    /** Independent stressor→SUT pairs (hosts 2i and 2i+1): scale runs over many hosts and workers. */
    pairs: posInt.max(4096).default(1),
    flows: posInt.max(1024).default(8),
    /** iperf -l: bytes per read()/write(). */
    messageSize: posInt.default(65536),
    mssBytes: posInt.default(1448),
    topology: topologySchema.default({}),
    scheduler: schedulerSchema.default({}),
    contextSwitchCycles: nonNegInt.default(4000),
    dom0: z
      .object({
        vcpus: posInt.max(64).default(8),
        weight: posInt.default(256),
        cap: nonNegInt.default(0),
        pin: z.boolean().default(false),
        // XenLinux HZ=100 with NO_IDLE_HZ: an idle VCPU sleeps until its next timer, wakes (VIRQ_TIMER → BOOST),
        // runs the timer softirq and blocks again. 0 disables.
        idleTimer: durationNs.default('10ms'),
        idleTimerCycles: nonNegInt.default(20000),
      })
      .strict()
      .default({}),
    /** Guests receiving (iperf in each; flow f goes to guest f mod guests). Each has its own vif and netfront. */
    guests: posInt.max(256).default(1),
    domu: z
      .object({ vcpus: posInt.max(64).default(1), weight: posInt.default(256), cap: nonNegInt.default(0), placement: z.array(nonNegInt).optional() })
      .strict()
      .default({}),
    link: z
      .object({
        rateGbps: z.number().positive().default(10),
        // Fibre and NIC latency of the back-to-back link; also the partitions' lookahead.
        propagation: durationNs.default('2us').refine((ns) => ns > 0, 'must be positive'),
      })
      .strict()
      .default({}),
    stressor: z
      .object({
        clockGHz: z.number().positive().default(2.33),
        txCyclesPerPacket: cycles.default(4000),
        ackRxCyclesPerPacket: cycles.default(600),
        maxBurstSegs: posInt.default(64),
      })
      .strict()
      .default({}),
    tcp: z
      .object({
        congestion: z.enum(['newreno', 'cubic']).default('newreno'),
        // tcp_rmem[2] of 2.6.18 on a 16 GB host (receive autotuning grows the buffer to it).
        rcvBufBytes: posInt.default(4194304),
        initialCwndSegs: posInt.default(3),
        rtoMin: durationNs.default('200ms'),
      })
      .strict()
      .default({}),
    nic: z
      .object({ ringSlots: posInt.default(256), irqMinInterval: durationNs.default('125us'), budget: posInt.default(300) })
      .strict()
      .default({}),
    netback: z
      .object({ txqueuelen: posInt.default(32), ringSlots: posInt.default(256), maxSlotsPerPass: posInt.default(238), neededSlots: posInt.default(20) })
      .strict()
      .default({}),
    netfront: z.object({ ringSlots: posInt.default(256), napiWeight: posInt.default(64) }).strict().default({}),
    bridge: z.enum(['linux', 'simple']).default('linux'),
    bridgeAgeing: durationNs.default('300s'),
    irqVcpu: nonNegInt.default(0),
    readChunkBytes: posInt.default(65536),
    costs: costsSchema.default({}),
    /**
     * The paper's optimizations switched on together: A cache-aware scheduling,
     * B credit stealing, C the simple bridge, D netback txqueuelen = optDTxqueuelen.
     */
    optimizations: z.array(z.enum(['A', 'B', 'C', 'D'])).default([]),
    /**
     * Traffic phases, cycled for the whole run (soak scenarios): each lasts
     * `duration`; in an inactive one the senders stop; `messageSize` changes iperf's -l.
     */
    phases: z
      .array(
        z
          .object({
            duration: durationNs.refine((ns) => ns > 0, 'must be positive'),
            active: z.boolean().default(true),
            messageSize: posInt.optional(),
          })
          .strict(),
      )
      .default([]),
    /** The txqueuelen Opt D uses (the paper found 128 best). */
    optDTxqueuelen: posInt.default(128),
  })
  .strict();

export type NetSection = z.infer<typeof netSection>;
