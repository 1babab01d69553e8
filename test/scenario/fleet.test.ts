// Fleet scenarios: bad input names its field before anything runs (and the
// CLI exits 2), traffic patterns make the flows they promise, hosts go to
// partitions rack-aligned and balanced by DomUs with the lookahead reported.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../src/scenario/registry.ts';
import { ROLE } from '../../src/net/fleet/config.ts';
import { planPartitions } from '../../src/run/partitioning.ts';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { fleetConfig } from '../../src/scenario/fleetScenario.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';

const RACK = 'scenarios/scale/rack-16x16.yaml';
const DC = 'scenarios/scale/dc-1024.yaml';
const sc = (file: string, sets: string[] = []) => loadScenario(file, { sets })[0]!.scenario;

function rejects(file: string, sets: string[], field: string, message: RegExp): void {
  let err: unknown;
  try {
    loadScenario(file, { sets });
  } catch (e) {
    err = e;
  }
  expect(err, `${sets.join(' ')}: accepted`).toBeInstanceOf(ScenarioError);
  expect((err as ScenarioError).fieldPath).toBe(field);
  expect((err as ScenarioError).problem).toMatch(message);
}

describe('fleet scenario errors', () => {
  it('name the field', () => {
    rejects(RACK, ['net.fleet.topology.racks.0.hosts.0.template=big'], 'net.fleet.topology.racks.0.hosts.0.template', /no host template "big" \(known: clovertown\)/);
    rejects(RACK, ['net.fleet.topology.racks.0.hosts.0.domus.0.template=tiny'], 'net.fleet.topology.racks.0.hosts.0.domus.0.template', /no DomU template "tiny"/);
    rejects(RACK, ['net.fleet.topology.racks.0.hosts.0.domus=[{template: guest, count: 40}, {template: guest, count: 40}]'], 'net.fleet.topology.racks.0.hosts.0.domus', /80 DomUs on one host; at most 64/);
    rejects(RACK, ['net.fleet.topology.racks.0.hosts.0.count=2000'], 'net.fleet.topology.racks.0.hosts.0.count', /less than or equal to 1024/);
    rejects(RACK, ['net.fleet.topology.racks.0.count=100'], 'net.fleet.topology.racks.0.hosts.0.count', /more than 1024 hosts/);
    rejects(RACK, ['net.fleet.topology.racks.0.hosts.0.domus.0.count=1', 'net.fleet.traffic.0.peer=same-host'], 'net.fleet.traffic.0.peer', /same-host needs at least 2 DomUs/);
    rejects(RACK, ['net.fleet.traffic.0.peer=next-rack'], 'net.fleet.traffic.0.peer', /next-rack needs at least 2 racks/);
    rejects(RACK, ['net.fleet.traffic=[{pattern: incast, fanIn: 300}]'], 'net.fleet.traffic.0.fanIn', /300 senders, but only 240 DomUs/);
    rejects(DC, ['net.fleet.traffic=[{pattern: all-to-all}]'], 'net.fleet.traffic.0', /flows so far .*at most 65536/);
    rejects(RACK, ['net.fleet.tor.buffer={mode: shared, bytes: 2MB, alpha: 0}'], 'net.fleet.tor.buffer.alpha', /greater than 0/);
    rejects(RACK, ['net.fleet.tor.buffer={mode: per-port, bytes: lots}'], 'net.fleet.tor.buffer.bytes', /not a size: "lots"/);
    rejects(RACK, ['net.fleet.tor.buffer={mode: per-port, bytes: 2000}', 'net.mssBytes=8948'], 'net.fleet.tor.buffer.bytes', /2000 bytes hold no full data frame \(9018 bytes/);
    rejects(DC, ['net.fleet.aggregation.buffer={mode: shared, bytes: 1000}'], 'net.fleet.aggregation.buffer.bytes', /1000 bytes hold no full data frame \(1518 bytes/);
    rejects(RACK, ['net.netfront.ringSlots=128'], 'net.netfront.ringSlots', /share one ring/);
    rejects(RACK, ['net.pairs=2'], 'net.pairs', /not used with net.fleet/);
    rejects(RACK, ['net.fleet.links.hosts.rateGbps=40'], 'net.fleet.links.hosts', /unknown field \(did you mean net\.fleet\.links\.host\?\)/);
    // From a hostile review: each said something wrong or nothing useful.
    rejects(RACK, ['net.fleet.tor.buffer={mode: lifo, bytes: 100000}'], 'net.fleet.tor.buffer.mode', /^missing or unknown: want "per-port" or "shared"$/);
    rejects(RACK, ['net.fleet.tor.buffer.bytes=1000'], 'net.fleet.tor.buffer.bytes', /1000 bytes hold no full data frame/);
    rejects(RACK, ['net.fleet.traffic.0={pattern: bulk, groupSize: 4}'], 'net.fleet.traffic.0.groupSize', /^unknown field \(a field of another kind of this section, not of the one given\)$/);
    rejects(RACK, ['net.fleet.hostTemplates={}'], 'net.fleet.topology.racks.0.hosts.0.template', /no host template "clovertown" \(none is defined: add one under net\.fleet\.hostTemplates\)/);
    rejects(RACK, ['net.fleet.topology.racks.0.hosts.0={template: clovertown, count: 1, domus: [{template: guest, count: 1}]}', 'net.fleet.traffic.0={pattern: all-to-all}'], 'net.fleet.traffic.0.pattern', /all-to-all needs at least 2 DomUs/);
    rejects(RACK, ['net.fleet.metrics.sampleEvery=100'], 'net.fleet.metrics.sampleEvery', /too short: at least 1ms/);
  });

  it('the aggregation switch defaults to a shared 4 MiB buffer, the ToR to 256 KiB per port (docs/scale.md)', () => {
    const f = (sc(DC).net as unknown as { fleet: { tor: { buffer: unknown }; aggregation: { buffer: unknown } } }).fleet;
    expect(f.tor.buffer).toEqual({ mode: 'per-port', bytes: 256 * 1024 });
    expect(f.aggregation.buffer).toEqual({ mode: 'shared', bytes: 4 * 1024 * 1024, alpha: 1 });
  });

  it('`net.fleet: {}` runs as it stands: a rack without a host list has two hosts, which the default bulk traffic needs', () => {
    // It was refused on its own defaults: one host, and bulk traffic to the next host needs two.
    const dir = mkdtempSync(join(tmpdir(), 'vioemu-fleet-defaults-'));
    const file = join(dir, 'fleet.yaml');
    writeFileSync(file, stringify({ name: 'fleet-defaults', model: 'net', duration: '10ms', warmup: '0s', net: { fleet: {} } }));
    const cfg = fleetConfig(sc(file));
    expect(cfg.racks).toHaveLength(1);
    expect(cfg.racks[0]!.hosts).toHaveLength(2);
    expect(cfg.flows.count).toBe(2); // one bulk flow each way between the two DomUs
    expect(MODELS.net!.hostCount(sc(file))).toBe(3); // two hosts and their ToR
  });

  it('exit 2 from the CLI with one line, nothing run', async () => {
    const r = await runCli(['run', RACK, '--set', 'net.fleet.traffic.0.pattern=broadcast']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/net\.fleet\.traffic\.0\.pattern/);
  });
});

describe('fleet scenario fuzz', () => {
  const traffic = fc.oneof(
    fc.record({ pattern: fc.constant('bulk'), peer: fc.constantFrom('next-host', 'same-host', 'next-rack'), flows: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ pattern: fc.constant('permutation') }),
    fc.record({ pattern: fc.constant('all-to-all'), groupSize: fc.integer({ min: 0, max: 12 }) }),
    fc.record({ pattern: fc.constant('incast'), fanIn: fc.integer({ min: 0, max: 40 }), receivers: fc.integer({ min: 0, max: 5 }), blockSize: fc.constantFrom('64KiB', 1, 0, '1.5MB', 'x') }),
    fc.record({ pattern: fc.constant('request-response'), peer: fc.constantFrom('next-host', 'same-host', 'next-rack', 'nowhere'), requestSize: fc.constantFrom(1, 100, '4KiB') }),
  );
  const fleet = fc.record({
    topology: fc.record({ racks: fc.array(fc.record({ count: fc.integer({ min: 0, max: 3 }), hosts: fc.array(fc.record({ count: fc.integer({ min: 0, max: 4 }), domus: fc.array(fc.record({ count: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 2 }) }), { minLength: 1, maxLength: 2 }) }), { minLength: 0, maxLength: 3 }) }),
    traffic: fc.array(traffic, { minLength: 0, maxLength: 3 }),
    tor: fc.option(fc.record({ buffer: fc.oneof(fc.record({ mode: fc.constant('per-port'), bytes: fc.constantFrom('16KiB', 0) }), fc.record({ mode: fc.constant('shared'), alpha: fc.constantFrom(0.5, 0, 8) })) }), { nil: undefined }),
  });

  it('random fleets: accepted with a buildable worker config, or rejected naming a field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vioemu-fleet-fuzz-'));
    const file = join(dir, 'f.yaml');
    let accepted = 0;
    fc.assert(
      fc.property(fleet, (f) => {
        writeFileSync(file, stringify({ model: 'net', duration: '10ms', net: { fleet: JSON.parse(JSON.stringify(f)) } }));
        try {
          const [pt] = loadScenario(file);
          const a = MODELS.net!;
          const cfg = a.workerConfig(pt!.scenario) as { fleet: { hosts: unknown[] } };
          expect(a.hostCount(pt!.scenario)).toBeGreaterThan(cfg.fleet.hosts.length);
          expect(a.lookaheadNs(pt!.scenario)).toBeGreaterThan(0);
          structuredClone(cfg);
          accepted++;
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
          expect(e.fieldPath).toMatch(/^net\.fleet\./);
        }
      }),
      { numRuns: 300, seed: 12 },
    );
    expect(accepted).toBeGreaterThan(10);
  });
});

describe('fleet traffic', () => {
  it('bulk to the next host, permutation (a derangement), request/response pairs and incast groups', () => {
    const f = fleetConfig(sc(RACK, ['net.fleet.traffic=[{pattern: bulk, flows: 2}, {pattern: permutation}, {pattern: request-response}, {pattern: incast, fanIn: 20}]']));
    const t = f.flows;
    const bulk = [...Array(t.count).keys()].filter((k) => t.app[k] === 0);
    expect(bulk).toHaveLength(512);
    for (const k of bulk) expect(t.dstHost[k]).toBe((t.srcHost[k]! + 1) % 16);
    const perm = [...Array(t.count).keys()].filter((k) => t.app[k] === 1);
    expect(perm).toHaveLength(256);
    const dst = new Set(perm.map((k) => `${t.dstHost[k]}/${t.dstGuest[k]}`));
    expect(dst.size).toBe(256);
    for (const k of perm) expect(`${t.dstHost[k]}/${t.dstGuest[k]}`).not.toBe(`${t.srcHost[k]}/${t.srcGuest[k]}`);
    const rr = [...Array(t.count).keys()].filter((k) => t.app[k] === 2);
    for (const k of rr) {
      expect(t.peer[t.peer[k]!]).toBe(k);
      expect(t.role[k]).toBe(t.role[t.peer[k]!] === ROLE.request ? ROLE.response : ROLE.request);
    }
    const incast = [...Array(t.count).keys()].filter((k) => t.app[k] === 3 && t.role[k] === ROLE.response);
    expect(incast).toHaveLength(20);
    for (const k of incast) {
      expect(t.dstHost[k]).toBe(0);
      expect(t.srcHost[k]).not.toBe(0);
    }
    expect(f.apps.map((a) => a.kind)).toEqual(['bulk', 'bulk', 'rr', 'incast']);
  });
});

describe('fleet traffic: patterns in detail', () => {
  it("permutation: Sattolo's shuffle makes one cycle through all DomUs, for any fleet size and seed", () => {
    for (const [hosts, domus, seed] of [[2, 1, 1], [2, 3, 2], [3, 5, 7], [16, 16, 1], [16, 16, 9]] as const) {
      const f = fleetConfig(sc(RACK, [`net.fleet.topology.racks.0.hosts.0.count=${hosts}`, `net.fleet.topology.racks.0.hosts.0.domus.0.count=${domus}`, `seed=${seed}`, 'net.fleet.traffic=[{pattern: permutation}]']));
      const t = f.flows;
      const n = hosts * domus;
      expect(t.count).toBe(n);
      const next = new Map<string, string>();
      for (let k = 0; k < n; k++) next.set(`${t.srcHost[k]}/${t.srcGuest[k]}`, `${t.dstHost[k]}/${t.dstGuest[k]}`);
      // Follow the cycle from DomU 0 of host 0: it comes back only after visiting every DomU.
      let at = '0/0';
      let steps = 0;
      do {
        at = next.get(at)!;
        steps++;
      } while (at !== '0/0' && steps <= n);
      expect(steps, `${hosts}×${domus} seed ${seed}`).toBe(n);
    }
  });

  it('incast: the aggregators sit on evenly spread hosts', () => {
    const f = fleetConfig(sc(RACK, ['net.fleet.traffic=[{pattern: incast, receivers: 4, fanIn: 2}]']));
    const t = f.flows;
    const aggs = [...Array(t.count).keys()].filter((k) => t.role[k] === ROLE.response).map((k) => t.dstHost[k]!);
    expect([...new Set(aggs)]).toEqual([0, 4, 8, 12]);
    expect(f.groups).toEqual([0, 4, 8, 12].map((host) => ({ host, guest: 0 })));
  });

  it('all-to-all: the flow limit counts the last, smaller group too', () => {
    // 7 hosts of 64 DomUs and one of 63: 511 DomUs in groups of 256 make 256 × 255 + 255 × 254 = 130,050 flows.
    const topo = 'net.fleet.topology.racks=[{hosts: [{template: clovertown, count: 7, domus: [{template: guest, count: 64}]}, {template: clovertown, count: 1, domus: [{template: guest, count: 63}]}]}]';
    rejects(RACK, [topo, 'net.fleet.traffic=[{pattern: all-to-all, groupSize: 256}]'], 'net.fleet.traffic.0', /^130050 flows so far \(130050 from this pattern\); at most 65536$/);
    // 2 hosts of 4: groups of 3 make 3 × 2 + 3 × 2 + 2 × 1 flows, every one inside its group.
    const f = fleetConfig(sc(RACK, ['net.fleet.topology.racks.0.hosts.0.count=2', 'net.fleet.topology.racks.0.hosts.0.domus.0.count=4', 'net.fleet.traffic=[{pattern: all-to-all, groupSize: 3}]']));
    expect(f.flows.count).toBe(14);
    // 2 hosts of 5: groups of 3 would leave the tenth DomU alone, without traffic; said, not run.
    rejects(RACK, ['net.fleet.topology.racks.0.hosts.0.count=2', 'net.fleet.topology.racks.0.hosts.0.domus.0.count=5', 'net.fleet.traffic=[{pattern: all-to-all, groupSize: 3}]'], 'net.fleet.traffic.0.groupSize', /^groups of 3 consecutive DomUs leave the last of the 10 in a group of its own/);
  });
});

describe('switch buffers set in part', () => {
  it("a buffer given without a mode keeps the switch's own (per-port ToR, shared aggregation)", () => {
    const fleetOf = (sets: string[]) => (sc(RACK, sets).net as { fleet: { tor: { buffer: unknown }; aggregation: { buffer: unknown } } }).fleet;
    expect(fleetOf(['net.fleet.tor.buffer.bytes=64MiB']).tor.buffer).toEqual({ mode: 'per-port', bytes: 64 * 1024 * 1024 });
    expect(fleetOf(['net.fleet.aggregation.buffer.alpha=2']).aggregation.buffer).toEqual({ mode: 'shared', bytes: 4 * 1024 * 1024, alpha: 2 });
    expect(() => sc(RACK, ['net.fleet.tor.buffer.bytes=0'])).toThrow(/net\.fleet\.tor\.buffer\.bytes: not a size/);
  });
});

describe('fleet placement', () => {
  it('four racks on two workers: whole racks, two each; the lookahead is an aggregation link', () => {
    const p = planPartitions(sc(DC), 2);
    expect(p.partitions).toBe(2);
    // Hosts 0..63 by rack, then the 4 ToRs, then the aggregation switch.
    expect(p.hostPartition.slice(0, 64)).toEqual([...Array(64).keys()].map((h) => (h < 32 ? 0 : 1)));
    expect(p.hostPartition.slice(64)).toEqual([0, 0, 1, 1, 0]);
    // Forwarding latency 1 µs + a 90-byte ACK frame (66 bytes + FCS + preamble and gap) at 40 Gb/s (18 ns) + the uplink's 2 µs.
    expect(p.lookaheadNs).toBe(1000 + 18 + 2000);
    expect(p.reason).toMatch(/whole racks balanced by DomU count .*lookahead 3.018 µs/);
  });

  it('racks of unequal DomUs balance by DomUs, not hosts', () => {
    const p = planPartitions(sc(DC, ['net.fleet.topology.racks=[{count: 1, hosts: [{template: clovertown, count: 4, domus: [{template: guest, count: 16}]}]}, {count: 3, hosts: [{template: clovertown, count: 4, domus: [{template: guest, count: 2}]}]}]']), 2, 'hosts');
    // Rack 0 holds 64 of 88 DomUs: it is a partition by itself (forced: auto keeps 88 DomUs whole).
    expect(p.hostPartition.slice(0, 16)).toEqual([...Array(16).keys()].map((h) => (h < 4 ? 0 : 1)));
  });

  it('never more partitions than workers: a light rack beside a heavy one gets its one partition from the heavy one’s share', () => {
    // 3 racks of 32, 1 and 1 DomUs: on 4 workers the heavy rack's proportional share is 3 and each light rack still needs one.
    const uneven = sc(DC, ['net.fleet.topology.racks=[{count: 1, hosts: [{template: clovertown, count: 4, domus: [{template: guest, count: 8}]}]}, {count: 2, hosts: [{template: clovertown, count: 1, domus: [{template: guest, count: 1}]}]}]']);
    for (const workers of [4, 5]) expect(planPartitions(uneven, workers, 'hosts').partitions).toBe(workers);
  });

  it('one rack on two workers, partition-by hosts: split at a host boundary, the ToR with the first half; lookahead = a host link', () => {
    const p = planPartitions(sc(RACK), 2, 'hosts');
    expect(p.hostPartition).toEqual([...Array(16).keys()].map((h) => (h < 8 ? 0 : 1)).concat([0]));
    // A 90-byte ACK frame at 10 Gb/s (72 ns) + the host link's 2 µs.
    expect(p.lookaheadNs).toBe(2072);
  });

  it('the reason names the partitions used, not the workers asked for (5 hosts of a rack cannot make 8)', () => {
    const p = planPartitions(sc('scenarios/scale/incast-64.yaml'), 8, 'hosts');
    expect(p.partitions).toBe(5);
    expect(p.reason).toMatch(/5 hosts split at host boundaries over 5 partitions/);
  });

  it('one rack on two workers, auto: 256 DomUs × 2.072 µs is too little work per window, so one partition, saying why', () => {
    const p = planPartitions(sc(RACK), 2);
    expect(p.partitions).toBe(1);
    expect(p.hostPartition.every((x) => x === 0)).toBe(true);
    expect(p.reason).toMatch(/256 DomUs × a 2\.072 µs lookahead = 530 DomU·µs .*one partition/);
    // Four racks hold enough work per window: still split (first test).
    expect(planPartitions(sc(DC), 2).partitions).toBe(2);
  });

  it('more workers than racks, auto: whole racks where splitting racks would not pay, never one partition', () => {
    // 4 racks on 5+ workers would split a rack (2.072 µs host links: 2,122 DomU·µs per window, < 2,500); 4 whole racks pay.
    for (const workers of [5, 8]) {
      const p = planPartitions(sc(DC), workers);
      expect(p.partitions).toBe(4);
      expect(p.lookaheadNs).toBe(3018);
      expect(p.reason).toMatch(/4 racks over 4 partitions, whole racks/);
    }
  });

  it('a run too short to pay for a second worker stays on one partition, saying why', () => {
    const p = planPartitions(sc(DC, ['duration=40ms', 'warmup=5ms']), 2);
    expect(p.partitions).toBe(1);
    expect(p.reason).toMatch(/1024 DomUs × 0\.04 s = 41 DomU·s in all \(< 100\): too short a run to pay for a second worker's start/);
    expect(planPartitions(sc(DC, ['duration=150ms', 'warmup=5ms']), 2).partitions).toBe(2);
  });
});
