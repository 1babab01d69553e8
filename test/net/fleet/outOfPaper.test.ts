// Fleets away from the shipped scenarios: random racks × hosts × DomUs, link
// speeds, MSS, switch buffers, Dom0 VCPUs and schedulers, each run briefly
// in-process. Every run must end (an event cap catches livelock) and stay
// within physical limits: with every flow crossing the wire, the fleet's
// goodput is under its hosts' line rate for the frame size; no Dom0 uses more
// CPU than its VCPUs; drops are counts; Jain's index lies in (0, 1].
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/scenario/errors.ts';
import { buildInProcess, collectInProcess, runInProcess } from '../../helpers/inProcess.ts';

const CASES = Number(process.env.OUT_OF_PAPER_CASES ?? 10);
const MAX_EVENTS = 5_000_000;

const caseArb = fc.record({
  racks: fc.constantFrom(1, 2),
  hosts: fc.constantFrom(2, 3),
  domus: fc.constantFrom(1, 2, 4),
  dom0Vcpus: fc.constantFrom(1, 2, 4),
  rateGbps: fc.constantFrom(1, 10, 40),
  mss: fc.constantFrom(536, 1448, 8948),
  buffer: fc.constantFrom('{mode: per-port, bytes: 64KiB}', '{mode: per-port, bytes: 1MiB}', '{mode: shared, bytes: 2MiB, alpha: 1}'),
  policy: fc.constantFrom('credit', 'sedf'),
  peer: fc.constantFrom('next-host', 'next-rack'),
});

describe('fleets out of the shipped scenarios: random fleets run to the end within physical limits', () => {
  it(`${CASES} random fleets`, () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const sets = [
          `net.fleet.hostTemplates={h: {dom0: {vcpus: ${c.dom0Vcpus}}}}`,
          `net.fleet.topology.racks=[{count: ${c.racks}, hosts: [{template: h, count: ${c.hosts}, domus: [{template: guest, count: ${c.domus}}]}]}]`,
          `net.fleet.traffic=[{pattern: bulk, peer: ${c.peer}}]`,
          `net.fleet.links.host.rateGbps=${c.rateGbps}`,
          `net.mssBytes=${c.mss}`,
          `net.fleet.tor.buffer=${c.buffer}`,
          `net.scheduler.policy=${c.policy}`,
          'duration=200ms',
          'warmup=50ms',
        ];
        let built;
        try {
          built = buildInProcess('scenarios/scale/rack-16x16.yaml', sets);
        } catch (e) {
          if (e instanceof ScenarioError) return; // e.g. next-rack with one rack: rejected, naming the field
          throw e;
        }
        const { sc, sim } = built;
        sim.runUntil(sc.durationNs, MAX_EVENTS);
        expect(sim.eventsProcessed, `spinning at ${sim.nowNs} ns: ${sets.join(' ')}`).toBeLessThan(MAX_EVENTS);
        const r = collectInProcess(built).summary as Record<string, any>;
        const xenHosts = c.racks * c.hosts;
        // The line rate for full frames, worked out here: MSS + 52 header bytes (timestamps on) + 38 of Ethernet framing.
        const lineGoodputGbps = xenHosts * c.rateGbps * (c.mss / (c.mss + 90));
        // 5% for bytes read across the 150 ms window's edges.
        expect(r.throughputGbps, sets.join(' ')).toBeLessThanOrEqual(lineGoodputGbps * 1.05);
        for (const h of r.dom0.perHost) expect(h.cpuPct, `${h.host}: ${sets.join(' ')}`).toBeLessThanOrEqual(100 * c.dom0Vcpus + 0.5);
        for (const [k, v] of Object.entries(r.drops)) expect(v as number, k).toBeGreaterThanOrEqual(0);
        if (r.goodput.receivingDomUs > 0) {
          expect(r.goodput.jainIndex).toBeGreaterThan(0);
          expect(r.goodput.jainIndex).toBeLessThanOrEqual(1 + 1e-9);
        }
      }),
      { numRuns: CASES, seed: 20261130 },
    );
  });
});

/** Segments the senders of two hosts with one DomU each sent, with these settings. */
function segmentsSentOnTwoHosts(sets: string[]): number {
  const r = runInProcess('scenarios/scale/rack-16x16.yaml', ['net.fleet.topology.racks.0.hosts.0.count=2', 'net.fleet.topology.racks.0.hosts.0.domus.0.count=1', ...sets]);
  return (r.summary.tcp as { segmentsSent: number }).segmentsSent;
}

describe('a send buffer smaller than one segment', () => {
  it('still sends: an empty send queue takes a write whatever sk_sndbuf is (sk_stream_memory_free)', () => {
    // Before: the tail of a 64 KB write under one MSS held the only "room" and nothing more was written.
    expect(segmentsSentOnTwoHosts(['net.tcp.wmemMax=1000', 'duration=300ms', 'warmup=100ms'])).toBeGreaterThan(100);
  });
});

describe('writes smaller than a segment', () => {
  it('reach TCP as they fill a segment, not after a chunk of them (one-byte writes: segments within 6 ms)', () => {
    // 1,448 one-byte writes (2,000 cycles each at 2.33 GHz) fill the first segment in ~1.2 ms; before, one item
    // took ~11,600 of them (the send buffer's room) and nothing was sent for ~10 ms.
    expect(segmentsSentOnTwoHosts(['net.messageSize=1', 'duration=6ms', 'warmup=0s'])).toBeGreaterThan(0);
  });
});

describe('a host link slower than what Dom0 forwards', () => {
  it("peth0's qdisc drops part of a run, and the guests' TX requests for it are still answered: the hosts go on at about line rate", () => {
    // Two hosts of 4 DomUs each over 1 Gb/s host links: Dom0 bridges ~1.6 Gb/s a way, so peth0's
    // 1000-frame qdisc overflows. Before: the link cut the run it was handed short in place, and
    // Dom0 answered only the frames it sent; the dropped ones' requests stayed pending until
    // net_tx_action (at MAX_PENDING_REQS) took nothing more and every guest stopped for good.
    const r = runInProcess('scenarios/scale/rack-16x16.yaml', [
      'net.fleet.topology.racks.0.hosts.0.count=2',
      'net.fleet.topology.racks.0.hosts.0.domus.0.count=4',
      'net.fleet.links.host.rateGbps=1',
      'duration=1s',
      'warmup=500ms',
    ]).summary as { throughputGbps: number; drops: { nicTxq: number } };
    // Each host receives at up to 1 Gb/s less framing (0.941 Gb/s of goodput at the 1448-byte MSS).
    expect(r.throughputGbps).toBeGreaterThan(2 * 0.941 * 0.8);
    expect(r.throughputGbps).toBeLessThanOrEqual(2 * 0.941 * 1.05);
    expect(r.drops.nicTxq).toBeGreaterThan(0);
  });
});

describe('a shared switch buffer whose dynamic threshold admits no full frame', () => {
  it('is refused, naming alpha: alpha × bytes below one data frame would drop every data frame through the switch', () => {
    // Before: 3200 bytes passed the one-frame check, but a port may queue only alpha × the free buffer
    // (320 bytes with alpha 0.1, even when empty): every data frame was dropped, every flow through the
    // switch stopped for good (RTO backoff), and the run reported it as congestion.
    for (const [sets, field] of [
      [['net.fleet.tor.buffer={mode: shared, bytes: 3200, alpha: 0.1}'], 'net.fleet.tor.buffer.alpha'],
      [['net.fleet.topology.racks.0.count=2', 'net.fleet.topology.racks.0.hosts.0.count=2', 'net.fleet.aggregation.buffer={mode: shared, bytes: 64KiB, alpha: 0.02}'], 'net.fleet.aggregation.buffer.alpha'],
    ] as const) {
      let err: unknown;
      try {
        buildInProcess('scenarios/scale/rack-16x16.yaml', [...sets]);
      } catch (e) {
        err = e;
      }
      expect(err, sets.join(' ')).toBeInstanceOf(ScenarioError);
      expect((err as ScenarioError).fieldPath).toBe(field);
      expect((err as ScenarioError).problem).toMatch(/no full data frame \(1518 bytes/);
    }
    // A threshold that lets one frame into an empty buffer is accepted (alpha 0.5 × 3200 = 1600 bytes).
    expect(() => buildInProcess('scenarios/scale/rack-16x16.yaml', ['net.fleet.tor.buffer={mode: shared, bytes: 3200, alpha: 0.5}'])).not.toThrow();
  });
});
