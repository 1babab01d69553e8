// The vif's shared receive ring is one ring: netfront's buffer targets are
// derived from its size as netfront.c derives them, and settings the sources
// could never produce are errors naming their field. A mismatch used to hang:
// netfront's 64-slot response queue dropped what netback's 256-slot ring
// pushed, and netif_poll looped on responses it could never take.
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { netConfig } from '../../src/scenario/netScenario.ts';
import { runInProcess } from '../helpers/inProcess.ts';

const FIG3 = 'scenarios/paper/fig3-domu.yaml';
const netfrontOf = (sets: string[]) => netConfig(loadScenario(FIG3, { sets })[0]!.scenario).sut.netfront;

describe('vif ring configuration', () => {
  it("derives netfront's targets from the ring: RX_MAX_TARGET = min(ring, 256), rx_min_target = min(64, max)", () => {
    expect(netfrontOf([])).toEqual({ rxMinTarget: 64, rxMaxTarget: 256, napiWeight: 64, slotsPerSegment: 1 });
    expect(netfrontOf(['net.netback.ringSlots=1024'])).toMatchObject({ rxMinTarget: 64, rxMaxTarget: 256 });
    expect(netfrontOf(['net.netback.ringSlots=32', 'net.netback.neededSlots=17'])).toMatchObject({ rxMinTarget: 32, rxMaxTarget: 32 });
    // A frontend without feature-sg: netback keeps one slot, not MAX_SKB_FRAGS + 2.
    expect(netfrontOf(['net.netfront.rxMinTarget=8', 'net.netback.neededSlots=1'])).toMatchObject({ rxMinTarget: 8, rxMaxTarget: 256 });
  });

  it.each([
    [['net.netfront.ringSlots=128'], /net\.netfront\.ringSlots: netfront and netback share one ring/],
    [['net.netback.ringSlots=100'], /net\.netback\.ringSlots: the shared ring holds a power of two/],
    [['net.netfront.rxMaxTarget=300'], /net\.netfront\.rxMaxTarget: more buffers than the ring's 256 slots/],
    [['net.netback.ringSlots=64', 'net.netfront.rxMinTarget=100'], /net\.netfront\.rxMinTarget: above rxMaxTarget \(64\)/],
    [['net.netback.neededSlots=300'], /net\.netback\.neededSlots: more than the ring's 256 slots/],
    // netback, stopped with neededSlots − 1 requests left, and netfront, refilling only a batch of rx_target/2, wait for each other.
    [['net.netback.neededSlots=40'], /net\.netback\.neededSlots: 40 slots kept for one packet \(net\.netback\.neededSlots\) deadlock the ring: .* want neededSlots <= 33, or a larger rxMinTarget \(up to rxMaxTarget 256\)/],
    // With netback's reserve at its default, the error names what the scenario set.
    [['net.netback.ringSlots=32'], /net\.netback\.ringSlots: 20 slots .* minimum target of 32 buffers \(rxMinTarget, from a 32-slot ring\) .* want neededSlots <= 17, or a larger ring$/],
    [['net.netfront.rxMinTarget=8'], /net\.netfront\.rxMinTarget: 20 slots .* minimum target of 8 buffers \(rxMinTarget\)/],
    // rxMaxTarget 1 takes rxMinTarget down with it: a larger rxMaxTarget is the way out, not a larger ring.
    [['net.netfront.rxMaxTarget=1'], /net\.netfront\.rxMaxTarget: 20 slots .* minimum target of 1 buffers \(rxMinTarget, min\(64, rxMaxTarget 1\)\) .* want neededSlots <= 2, or a larger rxMaxTarget \(up to 256\)$/],
  ])('%j is an error naming the field', (sets, message) => {
    expect(() => netfrontOf(sets)).toThrow(message);
  });

  it('a jumbo segment takes a slot per page netbk_copy_skb splits it into; without feature-sg (neededSlots 1) it cannot be received', () => {
    const netbackOf = (sets: string[]) => netConfig(loadScenario(FIG3, { sets })[0]!.scenario).sut.netback;
    // A 1500-byte MTU frame (1514 bytes as the skb holds it, 18 bytes into ixgb's buffer) fits one page.
    expect(netbackOf([]).slotsPerSegment).toBe(1);
    expect(netbackOf(['net.mssBytes=4011']).slotsPerSegment).toBe(1);
    // Past a page: a 3,694-byte head (SKB_MAX_HEAD(0) with Xen 3.1's 128-byte x86_64 cache lines, less its
    // 18-byte reserve) and page-sized fragments.
    expect(netbackOf(['net.mssBytes=4012']).slotsPerSegment).toBe(2);
    expect(netbackOf(['net.mssBytes=7724']).slotsPerSegment).toBe(2); // 7,790 bytes: the head and one full page
    expect(netbackOf(['net.mssBytes=7725']).slotsPerSegment).toBe(3);
    expect(netbackOf(['net.mssBytes=8948']).slotsPerSegment).toBe(3);
    expect(netbackOf(['net.mssBytes=16058']).slotsPerSegment).toBe(5);
    expect(netfrontOf(['net.mssBytes=8948']).slotsPerSegment).toBe(3);
    expect(() => netbackOf(['net.mssBytes=8948', 'net.netfront.rxMinTarget=8', 'net.netback.neededSlots=2'])).toThrow(
      /net\.netback\.neededSlots: 2 is fewer than the 3 ring slots one 8948-byte segment takes/,
    );
  });

  it('a jumbo run fills 3 responses a segment and pays netbk_copy_skb for the whole frame in Dom0', () => {
    const r = runInProcess(FIG3, ['net.mssBytes=8948', 'duration=300ms', 'warmup=100ms']).summary as unknown as {
      components: { name: string; cyclesPerPacket: number }[];
    };
    // Within 1%: the per-packet figure divides what was charged in the measured window (an item straddles warm-up).
    const near = (name: string, want: number) => expect(Math.abs(r.components.find((x) => x.name === name)!.cyclesPerPacket / want - 1)).toBeLessThan(0.01);
    // scenarios/costs.yaml: netfrontRxCyclesPerPacket 800 per response; copyToUserCyclesPerByte 0.5 × (8948 + 66) bytes.
    near('netfront_rx', 3 * 800);
    near('netbk_copy_skb', 0.5 * 9014);
    const std = runInProcess(FIG3, ['duration=300ms', 'warmup=100ms']).summary as unknown as typeof r;
    expect(std.components.find((x) => x.name === 'netbk_copy_skb')).toBeUndefined();
  });

  it("netback's slots per grant-copy pass follow the ring (net_rx_action: count + MAX_SKB_FRAGS >= ring ends a pass)", () => {
    const perPass = (sets: string[]) => netConfig(loadScenario(FIG3, { sets })[0]!.scenario).sut.netback.maxSlotsPerPass;
    expect(perPass([])).toBe(238);
    expect(perPass(['net.netback.ringSlots=512'])).toBe(494);
    expect(perPass(['net.netback.ringSlots=64'])).toBe(46);
    expect(perPass(['net.netback.maxSlotsPerPass=100'])).toBe(100);
    expect(() => perPass(['net.netback.maxSlotsPerPass=300'])).toThrow(/net\.netback\.maxSlotsPerPass: more than the ring's 256 slots/);
  });

  it('repeating the ring size on the netfront side is allowed', () => {
    expect(netfrontOf(['net.netback.ringSlots=128', 'net.netfront.ringSlots=128'])).toMatchObject({ rxMaxTarget: 128 });
  });

  it('the largest neededSlots the check allows still carries data: the limit is where the deadlock starts', () => {
    const r = runInProcess(FIG3, ['net.netback.ringSlots=32', 'net.netback.neededSlots=17', 'duration=300ms', 'warmup=100ms']);
    expect(r.summary.throughputGbps as number).toBeGreaterThan(0.1);
  });

  it('a 64-slot ring runs and carries data (it used to hang in netif_poll)', () => {
    const r = runInProcess(FIG3, ['net.netback.ringSlots=64', 'duration=300ms', 'warmup=100ms']);
    expect(r.summary.throughputGbps as number).toBeGreaterThan(0.5);
    // Never more buffers posted than the ring holds.
    expect((r.summary.netfront as { postedMean: number }).postedMean).toBeLessThanOrEqual(64);
  });
});
