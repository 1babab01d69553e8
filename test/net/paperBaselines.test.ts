// Fig 3 baselines with scenarios/calibration.yaml in place: the calibrated
// targets land, the rest are predictions that must hold as stated in the issue.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

type R = Record<string, any>;
const res: Record<string, R> = {};

beforeAll(async () => {
  const outs = await Promise.all(['linux', 'dom0', 'domu'].map((k) => runCli(['run', `scenarios/paper/fig3-${k}.yaml`, '--json'])));
  ['linux', 'dom0', 'domu'].forEach((k, i) => {
    expect(outs[i]!.code, outs[i]!.stderr).toBe(0);
    res[k] = JSON.parse(outs[i]!.stdout);
  });
});

describe('Fig 3 baselines (calibrated on T1 and T2)', () => {
  it('native Linux reaches 5.5 Gbps ±10% (T1, calibrated)', () => {
    expect(Math.abs(res.linux!.throughputGbps / 5.5 - 1)).toBeLessThan(0.1);
  });

  it("the stressor's saturated core reads at most 100%: work booked past the run's end is not counted", () => {
    for (const k of ['linux', 'dom0']) expect(res[k]!.stressor.txCorePct).toBeLessThanOrEqual(100);
    expect(res.linux!.stressor.txCorePct).toBeGreaterThan(99);
  });

  it('the wake-latency p99 of each I/O VCPU is never above the largest latency it saw', () => {
    for (const w of Object.values(res.domu!.ioVcpuWakeLatencyUs) as { count: number; meanUs: number; p99Us: number }[]) {
      if (w.meanUs === 0) expect(w.p99Us).toBe(0);
    }
  });

  it('DomU receives well below native Linux (T2 itself is judged by `reproduce` on the mean of 3 seeds)', () => {
    expect(res.domu!.throughputGbps).toBeGreaterThan(1);
    expect(res.domu!.throughputGbps).toBeLessThan(0.8 * res.linux!.throughputGbps);
  });

  it('Dom0 is within 15% of Linux with higher utilization (T3, predicted)', () => {
    expect(Math.abs(res.dom0!.throughputGbps / res.linux!.throughputGbps - 1)).toBeLessThan(0.15);
    expect(res.dom0!.coreUtilPct).toBeGreaterThan(res.linux!.coreUtilPct);
  });

  it('the virtualized path costs more CPU per Gbps than native Linux, split between Dom0 and the DomU', () => {
    expect(res.domu!.coreUtilPctPerGbps).toBeGreaterThan(1.5 * res.linux!.coreUtilPctPerGbps);
    const names = res.domu!.domains.map((d: R) => d.name);
    expect(names).toEqual(['dom0', 'domu']);
    for (const d of res.domu!.domains) expect(d.cpuPct).toBeGreaterThan(10);
  });

  it('without irqbalance every Dom0 stage runs on VCPU0: NIC poll, bridge, grant copy, netback TX', () => {
    const v0 = res.domu!.dom0VcpuCycles[0];
    for (const c of ['nic_rx', 'bridge', 'io_channel', 'netback_tx', 'nic_tx']) expect(v0[c], c).toBeGreaterThan(0);
    for (const other of res.domu!.dom0VcpuCycles.slice(1)) expect(Object.keys(other).filter((k) => !['guest_timer', 'ctxsw'].includes(k))).toEqual([]);
  });

  it('reports posted receive buffers, netback stops, SACK recoveries, RTOs and wake-to-run latency', () => {
    const r = res.domu!;
    expect(r.netfront.postedMean).toBeGreaterThan(0);
    expect(r.netfront.rxTarget[0]).toBeGreaterThanOrEqual(64);
    expect(r.netback.stops).toBeGreaterThan(0);
    expect(r.tcp.sackRecoveries).toBeGreaterThan(0);
    expect(r.tcp.timeouts).toBeGreaterThan(0); // the 32-packet queue drops a flow's run and its retransmission: only the RTO repairs it
    expect(r.ioVcpuWakeLatencyUs['dom0.v0'].count).toBeGreaterThan(0);
    expect(r.ioVcpuWakeLatencyUs['domu.v0'].count).toBeGreaterThan(0);
  });

  it('at txqueuelen 32 the netback queue drops and TCP retransmits; the frontend ring (256) never drops', () => {
    expect(res.domu!.drops.netbackQueue).toBeGreaterThan(0);
    expect(res.domu!.retransmits).toBeGreaterThan(0);
    expect(res.domu!.drops.frontendRing).toBe(0);
  });

  it("components' cycles per packet are their cost inputs × the one common scale", () => {
    const s = res.domu!.table1Scale;
    expect(s).toBeGreaterThan(0);
    const cpp = (name: string) => res.domu!.components.find((c: R) => c.name === name).cyclesPerPacket;
    expect(cpp('bridge') / (11000 * s)).toBeCloseTo(1, 2);
    expect(cpp('io_channel') / (8500 * s)).toBeCloseTo(1, 2);
    expect(cpp('nic_rx')).toBeCloseTo(700, 0);
    expect(cpp('netfront_rx')).toBeCloseTo(800, 0);
  });
});
