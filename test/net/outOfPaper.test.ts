// The model away from the paper's settings: random link speeds, frame sizes,
// rings, queues, budgets, schedulers, VCPU counts and TCP options, each run
// for a short while in-process. Every run must finish (no livelock: a 64-slot
// frontend ring once spun forever at one virtual instant) and respect what
// the hardware allows — goodput under the link's line rate for its frame
// size, no more buffers posted than the ring has slots, no domain using more
// CPU than its VCPUs. OUT_OF_PAPER_CASES=200 runs more.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { buildInProcess, collectInProcess } from '../helpers/inProcess.ts';

const CASES = Number(process.env.OUT_OF_PAPER_CASES ?? 16);
/** Far more than any of these runs needs (~100K events for 250 ms); a run past it is spinning. */
const MAX_EVENTS = 5_000_000;

const OPTIONS: Record<string, readonly (string | number)[]> = {
  'net.link.rateGbps': [0.5, 1, 10, 40],
  'net.link.propagation': ['100ns', '2us', '500us'],
  'net.flows': [1, 3, 8, 64],
  'net.guests': [1, 2, 5],
  'net.messageSize': [64, 1000, 65536],
  'net.mssBytes': [536, 1448, 8948],
  'net.netback.ringSlots': [32, 64, 256, 1024],
  'net.netback.txqueuelen': [1, 32, 1000],
  'net.netback.maxSlotsPerPass': [1, 64, 238],
  'net.netfront.napiWeight': [1, 16, 64],
  'net.nic.ringSlots': [8, 512, 4096],
  'net.nic.irqDelay': ['0s', '59us', '500us'],
  'net.netdev.budget': [4, 300],
  'net.netdev.maxBacklog': [10, 1000],
  'net.dom0.vcpus': [1, 2, 8],
  'net.domu.vcpus': [1, 2],
  'net.scheduler.policy': ['credit', 'sedf'],
  'net.bridge': ['linux', 'simple'],
  'net.tcp.congestion': ['newreno', 'cubic', 'bic'],
  'net.tcp.sack': ['true', 'false'],
  'net.tcp.rmemMax': [65536, 4194304],
  'net.stressor.clockGHz': [1, 2.33, 8],
  'net.sut': ['domu', 'domu', 'dom0', 'linux'],
  'net.dom0.irqBinding': ['default', 'irqbalance'],
};

const setsArb = fc
  .subarray(Object.keys(OPTIONS), { minLength: 2, maxLength: 7 })
  .chain((keys) => fc.tuple(...keys.map((k) => fc.constantFrom(...OPTIONS[k]!).map((v) => `${k}=${v}`))));

describe('out of the paper: random settings run to the end within physical limits', () => {
  it(`${CASES} random settings`, () => {
    fc.assert(
      fc.property(setsArb, (sets) => {
        let built;
        try {
          built = buildInProcess('scenarios/paper/fig3-domu.yaml', ['duration=250ms', 'warmup=50ms', ...sets]);
        } catch (e) {
          if (e instanceof ScenarioError) return; // rejected with a field named: fine
          throw e;
        }
        const { sc, sim } = built;
        sim.runUntil(sc.durationNs, MAX_EVENTS);
        expect(sim.eventsProcessed, `spinning at ${sim.nowNs} ns with ${sets.join(' ')}`).toBeLessThan(MAX_EVENTS);
        const r = collectInProcess(built).summary as Record<string, any>;
        const n = sc.net as { link: { rateGbps: number }; mssBytes: number; netback: { ringSlots: number } };
        // Goodput under the line rate for full frames, worked out here rather than read from the model:
        // MSS + 52 header bytes (timestamps on) + 38 of Ethernet framing. 5% for bytes buffered across the window's edges.
        expect(r.throughputGbps, sets.join(' ')).toBeLessThanOrEqual(((n.link.rateGbps * n.mssBytes) / (n.mssBytes + 90)) * 1.05);
        expect(r.throughputGbps).toBeGreaterThanOrEqual(0);
        if (r.netfront) expect(r.netfront.postedMean, sets.join(' ')).toBeLessThanOrEqual(n.netback.ringSlots);
        for (const d of r.domains ?? []) expect(d.cpuPct, `${d.name}: ${sets.join(' ')}`).toBeLessThanOrEqual(100 * d.vcpuCpuPct.length + 0.5);
        for (const [k, v] of Object.entries(r.drops ?? {})) expect(v as number, k).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: CASES, seed: 20261130 },
    );
  });
});
