// YAML schema of the network-path model: SUT configuration, link, stressor,
// TCP, queues and the cost model. Defaults are the paper's setup and the
// Linux 2.6.18 / Xen 3.1 constants, each with its source (docs/model.md).
import { z } from 'zod';
import { checkPerVcpuLists, creditCap, creditWeight, durationNs, messageBytes, nonNegInt, posInt, sizeBytes } from './fields.ts';
import { fleetSchema } from './fleetSchema.ts';
import { schedulerSchema, topologySchema } from './xenSchema.ts';

// Bounded so that no item's time can pass 2^53 ns of virtual time (a run-time error, not a scenario one):
// a second of a 1 GHz CPU per packet or call, 1e4 a byte, scales and cache factors up to 100, clocks from 0.1 GHz.
const cycles = z.number().nonnegative().max(1e9, 'at most 1e9 cycles (a second of a 1 GHz CPU)');
const cyclesPerByte = z.number().nonnegative().max(1e4, 'at most 1e4 cycles a byte');
const factor = z.number().positive().max(100, 'at most 100');

// The defaults below are the values of scenarios/costs.yaml; docs/model.md gives each its source
// (Table 1 and §6.1 of the paper, the Xen 3.1 / Linux 2.6.18 sources) or lists it as an assumption
// with the range tried (docs/sensitivity.md: what that range does).
export const costsSchema = z
  .object({
    table1Scale: factor.default(1),
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
    copyToUserCyclesPerByte: cyclesPerByte.default(0.5),
    readSyscallCycles: cycles.default(2000),
    eventChannelCycles: cycles.default(1500),
    // Guests that send (net.fleet): the guest's TCP output per segment and per incoming ACK, and the
    // iperf client's write() — assumptions, see docs/scale.md. (netback's net_tx_action costs the same per
    // data packet as per ACK, netbackTxCyclesPerPacket: it maps the page and copies 64 bytes of either.)
    stackTxDataCyclesPerPacket: cycles.default(1500),
    stackAckRxCyclesPerPacket: cycles.default(600),
    writeSyscallCycles: cycles.default(2000),
    copyFromUserCyclesPerByte: cyclesPerByte.default(0.5),
    ioChannelCopyShare: z.number().min(0).max(1).default(0.5),
    table1Distance: z.enum(['same_core', 'same_l2', 'same_socket', 'cross_socket']).default('cross_socket'),
    cacheFactor: z
      .object({
        same_core: factor.default(1),
        same_l2: factor.default(1),
        same_socket: factor.default(2),
        cross_socket: factor.default(2.6),
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
    messageSize: messageBytes.default(65536),
    // 1500-byte MTU less IP, TCP and the timestamp option. At most the ixgb's largest frame allows
    // (IXGB_MAX_JUMBO_FRAME_SIZE 16128 → MTU 16110 → MSS 16058); at least tcp_sync_mss's floor of 48.
    mssBytes: posInt
      .min(48, 'below TCP\'s floor of 48 bytes (tcp_sync_mss)')
      .max(16058, 'above what the largest jumbo frame of the 10 GbE NIC carries (ixgb: 16128-byte frames, MSS 16058)')
      .default(1448),
    topology: topologySchema.default({}),
    scheduler: schedulerSchema.default({}),
    // Assumption (docs/model.md): a Xen VCPU switch, state save/restore and TLB flush, ~1.7 µs.
    contextSwitchCycles: nonNegInt.max(1e9, 'at most 1e9 cycles (a second of a 1 GHz CPU)').default(4000),
    dom0: z
      .object({
        vcpus: posInt.max(64).default(8),
        weight: creditWeight,
        cap: creditCap,
        pin: z.boolean().default(false),
        // XenLinux HZ=100 with NO_IDLE_HZ: an idle VCPU sleeps until its next timer, wakes (VIRQ_TIMER → BOOST),
        // runs the timer softirq and blocks again. 0 disables.
        idleTimer: durationNs.default('10ms').refine((ns) => ns === 0 || ns >= 1000, 'too short: 0 (off) or at least 1us (HZ=100 gives 10ms)'),
        // Assumption (docs/model.md): the timer wake's work (VIRQ_TIMER, timer softirq, RCU).
        idleTimerCycles: nonNegInt.max(1e9, 'at most 1e9 cycles (a second of a 1 GHz CPU)').default(20000),
        // Interrupt binding in Dom0. default: 2.6.18-xen without irqbalance — the NIC's IRQ and every vif's
        // event channel on VCPU0 (bind_evtchn_to_cpu(evtchn, 0); pirq_guest_bind to vcpu[0]). irqbalance:
        // the NIC on VCPU0, vif g's event channel on VCPU 1 + g (mod VCPUs). Explicit VCPUs override both.
        irqBinding: z.enum(['default', 'irqbalance']).default('default'),
        nicIrqVcpu: nonNegInt.optional(),
        vifEvtchnVcpus: z.array(nonNegInt).optional(),
      })
      .strict()
      .default({}),
    /** Guests receiving (iperf in each; flow f goes to guest f mod guests). Each has its own vif and netfront. */
    guests: posInt.max(256).default(1),
    domu: z
      .object({ vcpus: posInt.max(64).default(1), weight: creditWeight, cap: creditCap, placement: z.array(nonNegInt).min(1, 'an empty list places no VCPU (leave it out for Xen\'s placement)').optional() })
      .strict()
      .superRefine(checkPerVcpuLists)
      .default({}),
    link: z
      .object({
        rateGbps: z.number().min(0.001, 'at least 0.001 Gb/s (1 Mb/s)').max(1e5, 'at most 1e5 Gb/s').default(10),
        // Fibre and NIC latency of the back-to-back link; also the partitions' lookahead.
        propagation: durationNs.default('2us').refine((ns) => ns > 0, 'must be positive'),
      })
      .strict()
      .default({}),
    stressor: z
      .object({
        clockGHz: z.number().min(0.1, 'at least 0.1 GHz').max(1e6, 'at most 1e6 GHz').default(2.33),
        // Calibrated on T1 (scenarios/calibration.yaml); the default only serves uncalibrated runs.
        txCyclesPerPacket: cycles.default(4000),
        // Assumption: the stressor's per-ACK receive, folded into the T1 calibration.
        ackRxCyclesPerPacket: cycles.default(600),
        maxBurstSegs: posInt.default(64),
        // What the stressor's device queue holds before tcp_transmit_skb is refused (local congestion, tcp_enter_cwr):
        // pfifo_fast's limit, tx_queue_len 1000 (ether_setup), behind the ixgb TX ring of 256 descriptors (DEFAULT_TXD),
        // two per segment (ixgb_tx_csum's context descriptor + the data), less DESC_NEEDED 21 kept free: 117 frames.
        txqueuelen: posInt.default(1000),
        txRingFrames: nonNegInt.default(117),
        // iperf's write(): syscall + tcp_sendmsg per call, and the copy from user per byte (assumptions; see docs/model.md).
        writeSyscallCycles: cycles.default(2000),
        copyFromUserCyclesPerByte: cyclesPerByte.default(0.5),
      })
      .strict()
      .default({}),
    tcp: z
      .object({
        // The stressor's congestion control: BIC, the default of a vanilla 2.6.18 kernel (built in, registered after reno).
        congestion: z.enum(['newreno', 'cubic', 'bic']).default('bic'),
        // sysctl_tcp_sack / sysctl_tcp_fack / sysctl_tcp_reordering of 2.6.18 (1, 1, 3). sack: false gives NewReno recovery.
        sack: z.boolean().default(true),
        fack: z.boolean().default(true),
        reordering: posInt.default(3),
        // tcp_rmem[1] and tcp_rmem[2] (tcp_init: min(4 MiB, tcp_mem[1] pages) = 4 MiB with >= 512 MiB of RAM).
        rmemDefault: posInt.default(87380),
        rmemMax: posInt.default(4194304),
        // sysctl_tcp_moderate_rcvbuf: receive autotuning from rmemDefault toward rmemMax; false keeps the buffer at rmemDefault (tcp_rmem[1]).
        moderateRcvbuf: z.boolean().default(true),
        // Receivers' kernel HZ (XenLinux 2.6.18 configs: 100): RTT estimates and autotuning run in jiffies.
        hz: posInt.max(1_000_000, 'at most 1000000 (a 1 µs jiffy; 2.6.18 builds HZ 100 to 1000)').default(100),
        // RFC 3390 for a 1448-byte MSS, as 2.6.18's tcp_init_cwnd: 3 segments.
        initialCwndSegs: posInt.default(3),
        rtoMin: durationNs.default('200ms'),
        // sysctl_tcp_slow_start_after_idle (1; new in 2.6.18): after an RTO with no data sent, cwnd restarts (tcp_cwnd_restart).
        slowStartAfterIdle: z.boolean().default(true),
        // tcp_wmem[1] and tcp_wmem[2] (tcp_init: 4 MiB with >= 512 MiB of RAM): the send buffer of guests that send (net.fleet);
        // wmemMax also bounds how far the stressor's writers get ahead of snd_una (a full send buffer blocks write()).
        wmemDefault: posInt.default(16384),
        wmemMax: posInt.default(4194304),
      })
      .strict()
      .default({}),
    nic: z
      // The paper's Intel PRO/10GbE SR (82597EX) under 2.6.18's ixgb driver: 512 RX descriptors (DEFAULT_RXD),
      // receive interrupt delay RDTR 72 × 0.8192 µs ≈ 59 µs, no interrupt throttle, NAPI weight 64; transmit
      // descriptors ask for a write-back interrupt (IDE: IntDelayEnable 1) TIDV 32 × 0.8192 µs ≈ 26.2 µs later
      // (ixgb_param.c DEFAULT_TIDV; ixgb_irq_enable unmasks TXDW), and it schedules the same NAPI poll.
      .object({ ringSlots: posInt.default(512), irqDelay: durationNs.default('59us'), irqMinInterval: durationNs.default(0), weight: posInt.default(64), txIrqDelay: durationNs.default('26214ns') })
      .strict()
      .default({}),
    // net.core sysctls of 2.6.18: netdev_budget (packets per net_rx_action), netdev_max_backlog (netif_rx's queue).
    netdev: z.object({ budget: posInt.default(300), maxBacklog: posInt.default(1000) }).strict().default({}),
    netback: z
      .object({
        txqueuelen: posInt.default(32),
        ringSlots: posInt.default(256),
        // net_rx_action stops a pass at count + MAX_SKB_FRAGS (18) >= NET_RX_RING_SIZE: 238 for the 256-slot ring.
        // Absent: derived from ringSlots the same way (vifRingConfig.ts).
        maxSlotsPerPass: posInt.optional(),
        neededSlots: posInt.default(20),
        stopTimeout: durationNs.default('500ms'),
      })
      .strict()
      .default({}),
    netfront: z
      // One shared ring with netback: its size is net.netback.ringSlots (ringSlots here may repeat it, nothing else);
      // rxMaxTarget defaults to min(ring, 256) and rxMinTarget to min(64, rxMaxTarget), as netfront.c derives them.
      .object({ ringSlots: posInt.optional(), napiWeight: posInt.default(64), rxMinTarget: posInt.optional(), rxMaxTarget: posInt.optional() })
      .strict()
      .default({}),
    bridge: z.enum(['linux', 'simple']).default('linux'),
    bridgeAgeing: durationNs.default('300s'),
    // The iperf server's own -l: what each recv() asks for (iperf 2 default 8 KB); messageSize is the client's -l.
    recvSize: sizeBytes.default(8192),
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
            messageSize: messageBytes.optional(),
          })
          .strict(),
      )
      .default([]),
    /** The txqueuelen Opt D uses (the paper found 128 best). */
    optDTxqueuelen: posInt.default(128),
    /**
     * Racks of Xen hosts whose DomUs send to each other through top-of-rack and
     * aggregation switches (docs/scale.md), instead of stressor→SUT pairs.
     */
    fleet: fleetSchema.optional(),
  })
  .strict();

export type NetSection = z.infer<typeof netSection>;
