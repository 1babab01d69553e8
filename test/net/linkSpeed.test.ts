// Other link speeds and frame sizes than the paper's: the wire carries each
// segment as MSS + 52 header bytes + Ethernet framing, and a stressor faster
// than its link fills its own device queue (1000-frame qdisc behind the TX
// ring) and backs off through local congestion, instead of queueing without
// bound (which once gave a 96 ms RTT at 1 GbE).
import { describe, expect, it } from 'vitest';
import { ioChannelFactor } from '../../src/net/costs.ts';
import { copyBytesRatio, frameSizes } from '../../src/net/frames.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { netConfig } from '../../src/scenario/netScenario.ts';
import { runInProcess } from '../helpers/inProcess.ts';

type R = { throughputGbps: number; tcp: { rttMeanUs: number; senderQueueRefusals: number } };
const run = (sets: string[]) => runInProcess('scenarios/paper/fig3-domu.yaml', ['duration=1500ms', 'warmup=500ms', ...sets]).summary as unknown as R;

describe('frames and link speed', () => {
  it('frame sizes follow the MSS (timestamps on: 52 header bytes)', () => {
    expect(frameSizes(1448)).toEqual({ dataBufferBytes: 1518, dataWireBytes: 1538, ackBufferBytes: 70, ackWireBytes: 90 });
    expect(frameSizes(8948).dataWireBytes).toBe(9038);
  });

  it("an MSS no Ethernet frame of the NIC can carry, or below TCP's floor, is an error naming the field", () => {
    const load = (mss: number) => () => loadScenario('scenarios/paper/fig3-domu.yaml', { sets: [`net.mssBytes=${mss}`] });
    expect(load(65000)).toThrow(/net\.mssBytes: above what the largest jumbo frame of the 10 GbE NIC carries/);
    expect(load(10)).toThrow(/net\.mssBytes: below TCP's floor of 48 bytes/);
    expect(load(16058)).not.toThrow();
  });

  it("the grant copy's share of Table 1's I/O-channel cost scales with the bytes a segment carries", () => {
    expect(copyBytesRatio(1448)).toBe(1);
    expect(copyBytesRatio(8948)).toBeCloseTo(9014 / 1514, 12);
    const costs = (mss: number) => netConfig(loadScenario('scenarios/paper/fig3-domu.yaml', { sets: [`net.mssBytes=${mss}`] })[0]!.scenario).sut.costs;
    const share = costs(1448).ioChannelCopyShare;
    // At Table 1's own distance the factor is 1 for a full 1500-byte frame …
    expect(ioChannelFactor(costs(1448), costs(1448).table1Distance)).toBeCloseTo(1, 12);
    // … and for a jumbo segment the copy share grows with its bytes, the per-packet rest does not.
    expect(ioChannelFactor(costs(8948), costs(8948).table1Distance)).toBeCloseTo(1 - share + share * (9014 / 1514), 12);
  });

  it('at 1 GbE the DomU gets line rate less framing, the RTT is the device queue (not more), and the sender backs off locally', () => {
    const r = run(['net.link.rateGbps=1']);
    const lineGoodputGbps = (1448 / 1538) * 1;
    expect(r.throughputGbps).toBeLessThanOrEqual(lineGoodputGbps * 1.001);
    expect(r.throughputGbps).toBeGreaterThan(0.95 * lineGoodputGbps);
    // 1117 frames of 1538 bytes at 1 Gbps ≈ 13.7 ms; the RTT cannot exceed the full queue by much.
    expect(r.tcp.rttMeanUs).toBeLessThan(16_000);
    expect(r.tcp.senderQueueRefusals).toBeGreaterThan(0);
  });

  it('jumbo segments at 1 GbE: goodput bounded by the line rate of 9038-byte frames', () => {
    const r = run(['net.link.rateGbps=1', 'net.mssBytes=8948']);
    expect(r.throughputGbps).toBeLessThanOrEqual((8948 / 9038) * 1.001);
    expect(r.throughputGbps).toBeGreaterThan(0.9);
  });
});
