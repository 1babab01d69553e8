// Bad input: one line naming the field, exit code 2, nothing run.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'vioemu-bad-'));
function scenario(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

const cases: [string, string, RegExp][] = [
  ['unknown field', 'model: ring\nring:\n  hostz: 3\n', /ring\.hostz: unknown field \(did you mean ring\.hosts\?\)/],
  ['unknown top-level field', 'model: ring\ndurashun: 1s\n', /: durashun: unknown field \(did you mean duration\?\)/],
  ['wrong type', 'model: ring\nring:\n  hosts: many\n', /ring\.hosts: Expected number, received string/],
  ['negative latency', 'model: ring\nring:\n  linkLatency: -5\n', /ring\.linkLatency: must not be negative/],
  ['malformed duration', 'model: ring\nduration: fast\n', /duration: not a duration/],
  ['malformed YAML', 'this: [is: not valid\n', /invalid YAML/],
  ['several YAML documents (a sweep from validate --print)', 'model: ring\n---\nmodel: ring\n', /invalid YAML: the file holds several YAML documents .* keep one, or give the sweep/],
  ['unknown model', 'model: quantum\n', /model: unknown model "quantum"/],
  ['bad sweep', 'model: ring\nsweep:\n  ring.hosts: 3\n', /sweep\.ring\.hosts: must be a non-empty list/],
  ['bad sweep value', 'model: ring\nsweep:\n  ring.hosts: [2, -1]\n', /ring\.hosts: Number must be greater than 0/],
  // sedf_adjust's bounds (what `xm sched-sedf` may set): a DomU's default slice is 0, below SLICE_MIN.
  ['sedf extratime without a slice', `model: xen\nxen:\n  hosts:\n    - scheduler: { policy: sedf }\n      domains:\n        - { name: dom0 }\n        - { name: u, sedf: { extratime: false } }\n`, /xen\.hosts\.0\.domains\.1\.sedf\.slice: must be at least 5us .*needs a slice/],
  ['sedf period without a slice', `model: xen\nxen:\n  hosts:\n    - scheduler: { policy: sedf }\n      domains:\n        - { name: dom0 }\n        - { name: u, sedf: { period: 50ms, extratime: true } }\n`, /domains\.1\.sedf\.slice: must be at least 5us/],
  // Costs, rates and clocks whose items would pass 2^53 ns of virtual time are refused up front, not at run time.
  ['a cost beyond any CPU', 'model: net\nnet:\n  costs: { ioChannelCyclesPerPacket: 3e16 }\n', /net\.costs\.ioChannelCyclesPerPacket: at most 1e9 cycles/],
  ['a per-byte cost beyond any CPU', 'model: net\nnet:\n  costs: { copyToUserCyclesPerByte: 1e15 }\n', /net\.costs\.copyToUserCyclesPerByte: at most 1e4 cycles a byte/],
  ['a link too slow to carry a frame', 'model: net\nnet:\n  link: { rateGbps: 1e-12 }\n', /net\.link\.rateGbps: at least 0\.001 Gb\/s/],
  ['a clock too slow', 'model: net\nnet:\n  topology: { clockGHz: 0.001 }\n', /net\.topology\.clockGHz: at least 0\.1 GHz/],
  ['a bridge cheaper than its profiled parts', 'model: net\nnet:\n  costs: { bridgeCyclesPerPacket: 0 }\n', /net\.costs\.bridgeCyclesPerPacket: 0 is below its profiled parts, bridgeSwitchingCyclesPerPacket 600 \+ jhashCyclesPerPacket 120/],
  ['a receive buffer whose window holds no segment', 'model: net\nnet:\n  tcp: { rmemDefault: 1448 }\n', /net\.tcp\.rmemDefault: 1448 bytes give a receive window of 1086, less than one 1448-byte segment .* want at least 1931/],
  ['a scheduler tick too short to run', 'model: net\nnet:\n  scheduler: { tick: 1ns }\n', /net\.scheduler\.tick: too short: at least 1us/],
  // tick × ticksPerSlice is one timer: past 2^53 ns the run failed at its start (exit 1, "timer delay ... got 1e+19").
  ['a time slice beyond virtual time (xen)', `model: xen\nxen:\n  hosts:\n    - scheduler: { ticksPerSlice: 1000000000000 }\n      domains:\n        - { name: dom0 }\n`, /xen\.hosts\.0\.scheduler\.ticksPerSlice: 1000000000000 ticks of 10\.000ms make a time slice beyond 2\^53 ns/],
  ['a time slice beyond virtual time (net)', 'model: net\nnet:\n  scheduler: { tick: 4000000000000000 }\n', /net\.scheduler\.tick: 3 ticks of 4000000\.000s make a time slice beyond 2\^53 ns/],
  ['a write too large for virtual time', 'model: net\nnet:\n  messageSize: 100000000000000\n', /net\.messageSize: at most 4 GiB/],
  ['a jiffy below a nanosecond', 'model: net\nnet:\n  tcp: { hz: 2000000000 }\n', /net\.tcp\.hz: at most 1000000/],
  ['a credit cap that accounting could never enforce', `model: xen\nxen:\n  hosts:\n    - scheduler: { policy: credit, ticksPerSlice: 1, ticksPerAcct: 3 }\n      domains:\n        - { name: dom0, cap: 50 }\n`, /xen\.hosts\.0\.scheduler\.ticksPerAcct: 3 ticks per accounting period with 1 per slice would leave xen\.hosts\.0\.domains\.0\.cap \(50\) unenforced/],
  ['an empty placement', 'model: net\nnet:\n  domu: { placement: [] }\n', /net\.domu\.placement: an empty list places no VCPU/],
  ['an empty pin list', `model: xen\nxen:\n  hosts:\n    - domains:\n        - { name: dom0, pin: [[0], []] }\n`, /xen\.hosts\.0\.domains\.0\.pin\.1: an empty list pins to no PCPU/],
  ['a wake-up every nanosecond', `model: xen\nxen:\n  hosts:\n    - domains:\n        - { name: dom0, workload: { kind: io-wake, interval: 1 } }\n`, /xen\.hosts\.0\.domains\.0\.workload\.interval: too short: at least 1us/],
  ['an SEDF setting under the credit scheduler', `model: xen\nxen:\n  hosts:\n    - domains:\n        - { name: dom0, sedf: { period: 20ms, slice: 5ms } }\n`, /xen\.hosts\.0\.domains\.0\.sedf\.period: belongs to SEDF; the credit scheduler/],
  ['a paper-model setting a fleet would ignore', `model: net\nnet:\n  phases: [{ duration: 10ms, active: false }]\n  fleet:\n    topology: { racks: [{ count: 1, hosts: [{ count: 2, domus: [{ count: 1 }] }] }] }\n    traffic: [{ pattern: bulk, peer: next-host }]\n`, /net\.phases: not used with net\.fleet \(set net\.fleet\.traffic\.<i>\.phases\)/],
  ['sedf period too short', `model: xen\nxen:\n  hosts:\n    - scheduler: { policy: sedf }\n      domains:\n        - { name: dom0, sedf: { period: 5us, slice: 5us } }\n`, /domains\.0\.sedf\.period: must be 10us–10s/],
];

describe('scenario errors exit 2 with the field path in one line', () => {
  it.each(cases)('%s', async (_name, text, expected) => {
    const f = scenario(`${_name.replace(/\W+/g, '-')}.yaml`, text);
    for (const cmd of ['validate', 'run']) {
      const r = await runCli([cmd, f]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(expected);
    }
  });

  it('missing file', async () => {
    const r = await runCli(['run', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/nope\.yaml: file not found$/);
  });

  it('bad --set path and value are caught the same way', async () => {
    const a = await runCli(['validate', 'scenarios/kernel/ring.yaml', '--set', 'ring.nonsense=1']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/ring\.nonsense: unknown field/);
    const b = await runCli(['validate', 'scenarios/kernel/ring.yaml', '--set', 'ring.remoteFraction=2']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/ring\.remoteFraction: Number must be less than or equal to 1/);
  });

  it('bad flags exit 2', async () => {
    const r = await runCli(['run', 'scenarios/kernel/ring.yaml', '--workers', 'zero']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers/);
  });
});
