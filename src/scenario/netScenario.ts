// Scenario adapter of the network-path model (src/net/model.ts).
import type { RunOutput } from '../kernel/runner.ts';
import type { NetModelConfig } from '../net/model.ts';
import type { IrqBinding } from '../net/sut.ts';
import type { SutNetResult } from '../net/netStats.ts';
import type { XenHostConfig } from '../xen/model.ts';
import { SEDF_INIT_DOM0, SEDF_INIT_OTHER } from '../xen/sched/sedf.ts';
import { copyBytesRatio, frameSizes } from '../net/frames.ts';
import { checkCapAccounting, checkCreditOnly, domainCreditSettings, schedulerCreditSettings } from './creditOnly.ts';
import { netbackConfig, vifRingConfig } from './vifRingConfig.ts';
import { ScenarioError } from './errors.ts';
import { tcpReceiverOptions } from './tcpReceiverConfig.ts';
import { NONE_WRITTEN, type ModelAdapter, type Scenario, type WrittenFields } from './model.ts';
import { netSection, type NetSection } from './netSchema.ts';
import { defaultPlacement } from './xenScenario.ts';
import { fleetConfig, fleetHostTotal, fleetLinks, fleetPlacement, fleetSplitWontPay } from './fleetScenario.ts';
import { summarizeFleet } from './fleetSummary.ts';

function sutHost(n: NetSection, file: string): XenHostConfig {
  const pcpus = n.topology.sockets * n.topology.l2PerSocket * n.topology.coresPerL2;
  const sched = {
    policy: n.scheduler.policy,
    credit: { tickNs: n.scheduler.tick, ticksPerSlice: n.scheduler.ticksPerSlice, ticksPerAcct: n.scheduler.ticksPerAcct, creditsPerTick: n.scheduler.creditsPerTick },
    cacheAware: n.scheduler.cacheAware,
    creditSteal: n.scheduler.creditSteal,
    ioThreshold: n.scheduler.ioThreshold,
  };
  if (n.sut === 'linux') {
    // Native Linux: one "domain" whose VCPUs are the cores, each pinned to its own.
    const ids = [...Array(pcpus).keys()];
    return {
      name: 'sut', topology: n.topology, costs: { contextSwitchCycles: 0 }, scheduler: sched, workloads: [],
      domains: [{ name: 'linux', weight: 256, cap: 0, vcpus: pcpus, affinity: ids.map((p) => [p]), placement: ids, sedf: SEDF_INIT_DOM0 }],
    };
  }
  const guests = n.sut === 'domu' ? n.guests : 1;
  const place = defaultPlacement(
    [{ vcpus: n.dom0.vcpus } as never, ...Array.from({ length: guests }, (_, g) => ({ vcpus: n.domu.vcpus, placement: g === 0 ? n.domu.placement : undefined }) as never)],
    pcpus,
    n.scheduler.policy,
  );
  for (const p of place.flat() as number[]) if (p >= pcpus) throw new ScenarioError(file, 'net.domu.placement', `PCPU ${p} does not exist (host has ${pcpus})`);
  return {
    name: 'sut', topology: n.topology, costs: { contextSwitchCycles: n.contextSwitchCycles }, scheduler: sched, workloads: [],
    domains: [
      { name: 'dom0', weight: n.dom0.weight, cap: n.dom0.cap, vcpus: n.dom0.vcpus, affinity: place[0]!.map((p) => (n.dom0.pin ? [p] : null)), placement: place[0]!, sedf: SEDF_INIT_DOM0 },
      ...Array.from({ length: guests }, (_, g) => ({
        name: guests === 1 ? 'domu' : `domu${g}`,
        weight: n.domu.weight, cap: n.domu.cap, vcpus: n.domu.vcpus,
        affinity: place[g + 1]!.map(() => null), placement: place[g + 1]!, sedf: SEDF_INIT_OTHER,
      })),
    ],
  };
}

/** Dom0's interrupt binding: explicit VCPUs, else 2.6.18-xen's default (all on VCPU0) or irqbalance's spread. */
function irqBinding(n: NetSection, file: string): IrqBinding {
  const vcpus = n.sut === 'linux' ? n.topology.sockets * n.topology.l2PerSocket * n.topology.coresPerL2 : n.dom0.vcpus;
  const guests = n.sut === 'domu' ? n.guests : 0;
  const spread = n.dom0.irqBinding === 'irqbalance';
  const nicVcpu = n.dom0.nicIrqVcpu ?? 0;
  if (nicVcpu >= vcpus) throw new ScenarioError(file, 'net.dom0.nicIrqVcpu', `Dom0 has only ${vcpus} VCPUs`);
  const explicit = n.dom0.vifEvtchnVcpus;
  if (explicit && explicit.length !== guests) throw new ScenarioError(file, 'net.dom0.vifEvtchnVcpus', `want one VCPU per guest (${guests}), got ${explicit.length}`);
  const vifVcpus = explicit ?? Array.from({ length: guests }, (_, g) => (spread && vcpus > 1 ? (nicVcpu + 1 + g) % vcpus : 0));
  vifVcpus.forEach((v, g) => {
    if (v >= vcpus) throw new ScenarioError(file, `net.dom0.vifEvtchnVcpus.${g}`, `Dom0 has only ${vcpus} VCPUs`);
  });
  return { nicVcpu: n.sut === 'linux' ? 0 : nicVcpu, vifVcpus };
}

/** Fold `optimizations: [A, B, C, D]` into the fields each one switches. */
function applyOptimizations(n: NetSection): NetSection {
  const o = new Set(n.optimizations);
  if (o.size === 0) return n;
  return {
    ...n,
    scheduler: { ...n.scheduler, cacheAware: n.scheduler.cacheAware || o.has('A'), creditSteal: n.scheduler.creditSteal || o.has('B') },
    bridge: o.has('C') ? 'simple' : n.bridge,
    netback: o.has('D') ? { ...n.netback, txqueuelen: n.optDTxqueuelen } : n.netback,
  };
}

/**
 * `written` (checks at load time): settings this SUT cannot use are refused when the run wrote them; inherited
 * from a shared include (costs.yaml and the like serve every SUT) they are left alone. Workers and resumed runs
 * build from an already checked scenario: none are refused again.
 */
export function netConfig(sc: Scenario, file = sc.name, written: WrittenFields = NONE_WRITTEN): NetModelConfig {
  const raw = sc.net as NetSection;
  const creditOpts = raw.optimizations.filter((o) => o === 'A' || o === 'B');
  if (raw.scheduler.policy === 'sedf' && creditOpts.length > 0) {
    throw new ScenarioError(file, 'net.optimizations', `Opt ${creditOpts.join(' and ')} extend${creditOpts.length === 1 ? 's' : ''} the credit scheduler; under SEDF (net.scheduler.policy sedf) only C and D apply`);
  }
  checkCreditOnly(file, raw.scheduler.policy, [
    ...schedulerCreditSettings('net.scheduler', raw.scheduler),
    // A fleet's domains take theirs from its templates (checked in fleetConfig).
    ...(raw.fleet ? [] : [...domainCreditSettings('net.dom0', raw.dom0), ...domainCreditSettings('net.domu', raw.domu)]),
  ]);
  if (!raw.fleet) checkCapAccounting(file, 'net.scheduler', raw.scheduler, [...domainCreditSettings('net.dom0', raw.dom0), ...domainCreditSettings('net.domu', raw.domu)]);
  if (!raw.fleet) checkPathUnused(raw, file, written);
  const n = applyOptimizations(raw);
  if (!n.fleet) checkSutUnused(n, file, written);
  checkBridgeProfile(n, file);
  checkReceiveWindow(n, file);
  const fleet = n.fleet ? { fleet: fleetConfig(sc, file) } : {};
  return {
    ...fleet,
    sutHost: sutHost(n, file),
    sut: {
      kind: n.sut,
      flows: n.flows,
      recvBytes: n.recvSize,
      mssBytes: n.mssBytes,
      nic: { ringSlots: n.nic.ringSlots, irqDelayNs: n.nic.irqDelay, irqMinIntervalNs: n.nic.irqMinInterval, weightPackets: n.nic.weight, txIrqDelayNs: n.nic.txIrqDelay },
      netback: netbackConfig(n, file),
      netfront: vifRingConfig(n, file),
      netdevBudget: n.netdev.budget,
      netdevMaxBacklog: n.netdev.maxBacklog,
      bridge: n.bridge,
      bridgeAgeingNs: n.bridgeAgeing,
      costs: { ...n.costs, copyBytesRatio: copyBytesRatio(n.mssBytes) },
      tcp: tcpReceiverOptions(n, synRttNs(n)),
      binding: irqBinding(n, file),
      dom0TimerNs: n.dom0.idleTimer,
      dom0TimerCycles: n.dom0.idleTimerCycles,
      readChunkBytes: n.readChunkBytes,
    },
    stressor: {
      flows: n.flows,
      clockGHz: n.stressor.clockGHz,
      txCyclesPerPacket: n.stressor.txCyclesPerPacket,
      ackRxCyclesPerPacket: n.stressor.ackRxCyclesPerPacket,
      maxBurstSegs: n.stressor.maxBurstSegs,
      sendQueueFrames: n.stressor.txqueuelen + n.stressor.txRingFrames,
      messageBytes: n.messageSize,
      writeSyscallCycles: n.stressor.writeSyscallCycles,
      copyFromUserCyclesPerByte: n.stressor.copyFromUserCyclesPerByte,
      sndbufMaxBytes: n.tcp.wmemMax,
      tcp: {
        mssBytes: n.mssBytes, initialCwndSegs: n.tcp.initialCwndSegs, congestion: n.tcp.congestion, rtoMinNs: n.tcp.rtoMin, slowStartAfterIdle: n.tcp.slowStartAfterIdle,
        sack: n.tcp.sack, fack: n.tcp.fack, reordering: n.tcp.reordering, granularityNs: Math.round(1e9 / n.tcp.hz),
        // Connections are set up before the run: the SYN exchange's RTT sample (a LAN RTT counts as one jiffy),
        // so a first flight lost whole times out after ~200 ms + srtt, not TCP_TIMEOUT_INIT's 3 s. Over a long
        // link the SYN-ACK takes the path's RTT (as fleet guests' handshakes: pathRttNs).
        handshakeRttNs: synRttNs(n),
      },
    },
    link: { rateBitsPerSec: n.link.rateGbps * 1e9, propagationNs: n.link.propagation },
    pairs: n.pairs,
    phases: n.phases.map((p) => ({ durationNs: p.duration, active: p.active, messageBytes: p.messageSize ?? n.messageSize })),
    warmupNs: sc.warmupNs,
    durationNs: sc.durationNs,
    sampleNs: NET_METRIC_PERIOD_NS,
  };
}

interface StressorResult {
  role: 'stressor';
  retransmits: number;
  fastRetransmits: number;
  sackRecoveries: number;
  lostRetransmits: number;
  /** Segments the stressor's own device queue refused (tcp_enter_cwr). */
  localDrops: number;
  rttMeanUs: number;
  timeouts: number;
  segsSent: number;
  txCorePct: number;
  linkUtilPct: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function summarizeNet(out: RunOutput, costs?: NetSection['costs']) {
  const stressors = out.hosts.map((h) => h.result as StressorResult).filter((r) => r?.role === 'stressor');
  const suts = out.hosts.map((h) => h.result as SutNetResult).filter((r) => r?.role === 'sut');
  if (stressors.length === 0 || suts.length === 0) return {};
  const one = summarizePair(stressors[0]!, suts[0]!, costs);
  if (suts.length === 1) return one;
  // Many pairs: totals over pairs, and each pair's own summary.
  const pairs = suts.map((s, i) => summarizePair(stressors[i]!, s, costs));
  const total = (f: (p: (typeof pairs)[number]) => number) => r3(pairs.reduce((a, p) => a + f(p), 0));
  const gbps = total((p) => p.throughputGbps);
  const util = total((p) => p.coreUtilPct);
  return {
    throughputGbps: gbps,
    coreUtilPct: util,
    coreUtilPctPerGbps: gbps > 0 ? r3(util / gbps) : null,
    drops: {
      nicRing: pairs.reduce((a, p) => a + p.drops.nicRing, 0),
      netbackQueue: pairs.reduce((a, p) => a + p.drops.netbackQueue, 0),
      frontendRing: pairs.reduce((a, p) => a + p.drops.frontendRing, 0),
      backlog: pairs.reduce((a, p) => a + p.drops.backlog, 0),
    },
    retransmits: pairs.reduce((a, p) => a + p.retransmits, 0),
    pairCount: pairs.length,
    perPairGbps: pairs.map((p) => p.throughputGbps),
    pairs,
  };
}

function summarizePair(st: StressorResult, sut: SutNetResult, costs?: NetSection['costs']) {
  const h = sut.host;
  const gbps = r3(sut.throughputGbps);
  return {
    throughputGbps: gbps,
    coreUtilPct: r3(h.coreUtilPct),
    coreUtilPctPerGbps: gbps > 0 ? r3(h.coreUtilPct / gbps) : null,
    domains: h.domains.map((d) => ({ name: d.name, cpuPct: d.cpuPct, vcpuCpuPct: d.vcpuCpuPct, vcpuPcpu: d.vcpuPcpu, wakeups: d.wakeups, boosts: d.boosts, creditStolen: d.creditStolen, migrations: d.migrations })),
    drops: sut.drops,
    retransmits: st.retransmits,
    tcp: { fastRetransmits: st.fastRetransmits, sackRecoveries: st.sackRecoveries, lostRetransmits: st.lostRetransmits, senderQueueRefusals: st.localDrops, timeouts: st.timeouts, segmentsSent: st.segsSent, rttMeanUs: st.rttMeanUs },
    netfront: sut.netfront,
    netback: sut.netback,
    // Which Dom0 VCPU ran which stage, and how fast the I/O VCPUs (Dom0's and the guests' VCPU0) got a PCPU after a wake.
    dom0VcpuCycles: h.domains[0]?.vcpuCycles,
    ioVcpuWakeLatencyUs: Object.fromEntries(h.domains.map((d) => [`${d.name}.v0`, d.vcpuWakeLatency[0]])),
    scheduler: {
      boosts: h.domains.reduce((s, d) => s + d.boosts, 0),
      migrations: {
        sameL2: h.domains.reduce((s, d) => s + d.migrations.sameL2, 0),
        sameSocket: h.domains.reduce((s, d) => s + d.migrations.sameSocket, 0),
        crossSocket: h.domains.reduce((s, d) => s + d.migrations.crossSocket, 0),
      },
      contextSwitches: h.domains.reduce((s, d) => s + d.contextSwitches, 0),
      wakeLatencyUs: Object.fromEntries(h.domains.map((d) => [d.name, { p50: d.wakeLatency.p50Us, p99: d.wakeLatency.p99Us }])),
    },
    components: h.components.filter((c) => c.packets > 0).map((c) => ({ name: c.name, cyclesPerPacket: c.cyclesPerPacket })),
    cyclesByComponent: Object.fromEntries(h.components.map((c) => [c.name, c.cycles])),
    netbackStops: sut.netbackStops,
    pcpuBusyPct: h.pcpuBusyPct,
    stressor: { txCorePct: r3(st.txCorePct), linkUtilPct: r3(st.linkUtilPct) },
    ...(costs
      ? {
          table1Scale: costs.table1Scale,
          bridgeProfile: {
            switchingCycles: r3(costs.bridgeSwitchingCyclesPerPacket * costs.table1Scale),
            jhashCycles: r3(costs.jhashCyclesPerPacket * costs.table1Scale),
            netfilterCycles: r3((costs.bridgeCyclesPerPacket - costs.bridgeSwitchingCyclesPerPacket - costs.jhashCyclesPerPacket) * costs.table1Scale),
          },
        }
      : {}),
  };
}

/** The single-host net model pushes its counters every 100 ms of virtual time (fleets: `net.fleet.metrics.sampleEvery`). */
const NET_METRIC_PERIOD_NS = 100_000_000;

const isFleet = (sc: Scenario) => (sc.net as NetSection).fleet !== undefined;

export const netAdapter: ModelAdapter = {
  name: 'net',
  checkpointable: true,
  section: netSection,
  hostCount: (sc) => (isFleet(sc) ? fleetHostTotal(sc) : 2 * (sc.net as NetSection).pairs),
  lookaheadNs: (sc) => (isFleet(sc) ? Math.min(...fleetLinks(sc).map((l) => l[2])) : (sc.net as NetSection).link.propagation),
  links: (sc) => {
    if (isFleet(sc)) return fleetLinks(sc);
    const n = sc.net as NetSection;
    return Array.from({ length: n.pairs }, (_, i): [number, number, number] => [2 * i, 2 * i + 1, n.link.propagation]);
  },
  placement: (sc, partitions) => (isFleet(sc) ? fleetPlacement(sc, partitions) : null),
  splitWontPay: (sc, lookaheadNs) => (isFleet(sc) ? fleetSplitWontPay(sc, lookaheadNs) : null),
  metricPeriod: (sc) =>
    isFleet(sc) ? { ns: fleetConfig(sc).sampleNs, field: 'net.fleet.metrics.sampleEvery' } : { ns: NET_METRIC_PERIOD_NS, field: null },
  check: (sc, file, written) => void netConfig(sc, file, written),
  workerConfig: (sc) => netConfig(sc),
  summarize: (sc, out) => (isFleet(sc) ? summarizeFleet(fleetConfig(sc), out) : summarizeNet(out, (sc.net as NetSection).costs)),
};

/**
 * Settings the chosen SUT has no use for (guests but with iperf in a DomU; a DomU's and Dom0's with native Linux):
 * set away from their defaults they are a mistake worth naming, as a fleet's are (fleetScenario.ts checkUnused).
 */
function checkSutUnused(n: NetSection, file: string, written: WrittenFields): void {
  const d = netSection.parse({});
  if (n.sut !== 'domu' && n.guests !== d.guests && written('net.guests')) {
    throw new ScenarioError(file, 'net.guests', `not used with net.sut: ${n.sut} (iperf runs ${n.sut === 'linux' ? 'on native Linux' : 'in Dom0'}; receiving guests need sut: domu)`);
  }
  if (n.sut === 'linux') {
    for (const k of ['vcpus', 'weight', 'cap', 'placement'] as const) {
      if (n.domu[k] !== d.domu[k] && written(`net.domu.${k}`)) throw new ScenarioError(file, `net.domu.${k}`, 'not used with net.sut: linux (native Linux runs no DomU)');
    }
    for (const k of ['vcpus', 'weight', 'cap', 'pin'] as const) {
      if (n.dom0[k] !== d.dom0[k] && written(`net.dom0.${k}`)) throw new ScenarioError(file, `net.dom0.${k}`, 'not used with net.sut: linux (native Linux runs on every core; there is no Dom0)');
    }
  }
  // Xen's placement is kept for the other guests (defaultPlacement): one list would silently place only domu0.
  if (n.guests > 1 && n.domu.placement) throw new ScenarioError(file, 'net.domu.placement', `places only the first of net.guests ${n.guests} DomUs; leave it out for Xen's placement of each`);
}

/**
 * The SYN → SYN-ACK exchange over the back-to-back link (both ways' propagation and a small frame's
 * serialisation), at least the jiffy a LAN round trip counts as: both ends' first RTT sample.
 */
function synRttNs(n: NetSection): number {
  const pathNs = Math.round(2 * (n.link.propagation + (frameSizes(n.mssBytes).ackWireBytes * 8) / n.link.rateGbps));
  return Math.max(Math.round(1e9 / n.tcp.hz), pathNs);
}

/**
 * Parts of the path the chosen SUT does not have, set away from their defaults (checked before the optimizations
 * are folded in, so that an Opt is named as written): only a DomU receives through netback and netfront (Opt D
 * sizes netback's queue); native Linux has no bridge, no Dom0 and no Xen scheduler extensions (Opts A–C), and its
 * cores switch without a VCPU context switch. The guests' initial send buffer (tcp.wmemDefault) serves fleets only: the paper's
 * stressor is native Linux with its own queue (net.stressor). Each used to be accepted and the run left unchanged.
 */
function checkPathUnused(n: NetSection, file: string, written: WrittenFields): void {
  const d = netSection.parse({});
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const refuse = (field: string, why: string) => {
    if (written(`net.${field}`)) throw new ScenarioError(file, `net.${field}`, why);
  };
  // tcp.wmemMax also bounds how far the stressor's writers get ahead of snd_una (Stressor.writtenBytes).
  if (n.tcp.wmemDefault !== d.tcp.wmemDefault) refuse('tcp.wmemDefault', 'not used without net.fleet (the send buffer of guests that send; the paper\'s stressor queues by net.stressor.txqueuelen and txRingFrames, its writers bounded by tcp.wmemMax)');
  if (n.sut === 'domu') return;
  const sut = `not used with net.sut: ${n.sut}`;
  if (n.sut === 'linux') {
    if (n.optimizations.length > 0) refuse('optimizations', `${sut} (Opts A–D change Xen's scheduler, bridge and netback; native Linux has none of them)`);
    for (const k of ['cacheAware', 'creditSteal'] as const) if (n.scheduler[k] !== d.scheduler[k]) refuse(`scheduler.${k}`, `${sut} (an extension of Xen's credit scheduler for I/O VCPU pairs; native Linux has no VCPUs to pair)`);
    if (n.bridge !== d.bridge) refuse('bridge', `${sut} (native Linux receives on its NIC with no bridge)`);
    if (n.contextSwitchCycles !== d.contextSwitchCycles) refuse('contextSwitchCycles', `${sut} (a Xen VCPU switch; native Linux runs on its cores)`);
    for (const k of ['irqBinding', 'nicIrqVcpu', 'idleTimer', 'idleTimerCycles'] as const) {
      if (!same(n.dom0[k], d.dom0[k])) refuse(`dom0.${k}`, `${sut} (native Linux runs on every core; there is no Dom0)`);
    }
  } else if (n.optimizations.includes('D')) {
    refuse('optimizations', `${sut}: Opt D sizes netback's queue, and iperf in Dom0 receives through netloop, not netback (D needs sut: domu)`);
  }
  const vif = `${sut} (only a DomU receives through netback and netfront; iperf runs ${n.sut === 'linux' ? 'on native Linux' : 'in Dom0'})`;
  for (const k of Object.keys({ ...d.netback, ...n.netback }) as (keyof NetSection['netback'])[]) if (!same(n.netback[k], d.netback[k])) refuse(`netback.${k}`, vif);
  for (const k of Object.keys({ ...d.netfront, ...n.netfront }) as (keyof NetSection['netfront'])[]) if (!same(n.netfront[k], d.netfront[k])) refuse(`netfront.${k}`, vif);
  if (n.optDTxqueuelen !== d.optDTxqueuelen) refuse('optDTxqueuelen', `${sut} (the netback queue of Opt D)`);
}

/** §6.1's profile splits the Linux bridge's cycles: pure switching and jhash are parts of them, the rest netfilter. */
function checkBridgeProfile(n: NetSection, file: string): void {
  const c = n.costs;
  const parts = c.bridgeSwitchingCyclesPerPacket + c.jhashCyclesPerPacket;
  if (c.bridgeCyclesPerPacket < parts) {
    throw new ScenarioError(
      file,
      'net.costs.bridgeCyclesPerPacket',
      `${c.bridgeCyclesPerPacket} is below its profiled parts, bridgeSwitchingCyclesPerPacket ${c.bridgeSwitchingCyclesPerPacket} + jhashCyclesPerPacket ${c.jhashCyclesPerPacket} (§6.1: they are parts of the bridge's cycles); lower those too`,
    );
  }
}

/**
 * The receive buffer must give a window of one segment: tcp_full_space is the buffer less 1/4
 * (tcp_adv_win_scale 2). Below that 2.6.18's sender shrinks its segments to half the window
 * (tcp_bound_to_half_wnd); the model's segments are always MSS-sized, so the window would stay shut.
 */
function checkReceiveWindow(n: NetSection, file: string): void {
  const windowBytes = (b: number) => b - Math.floor(b / 4);
  const least = Math.ceil((n.mssBytes * 4) / 3);
  // tcp_rmem[1]: the socket's buffer, where autotuning starts too (it grows only with data received).
  const bytes = n.tcp.rmemDefault;
  if (windowBytes(bytes) < n.mssBytes) {
    throw new ScenarioError(
      file,
      'net.tcp.rmemDefault',
      `${bytes} bytes give a receive window of ${windowBytes(bytes)}, less than one ${n.mssBytes}-byte segment (net.mssBytes); want at least ${least} (2.6.18 would shrink its segments to half the window, tcp_bound_to_half_wnd; the model's segments are full-size)`,
    );
  }
}
