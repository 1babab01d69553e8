// iperf's -l is given as a size elsewhere (a fleet's requestSize: 1KiB, a
// buffer's bytes: 4MiB); the write and read sizes take the same units, on the
// paper path, its phases and in fleets, and refuse what is not a size by name.
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenario } from '../../src/scenario/load.ts';

const net = (file: string, sets: string[]) => loadScenario(file, { sets })[0]!.scenario.net as Record<string, unknown>;

function problemOf(file: string, sets: string[]): { field: string; problem: string } | null {
  try {
    loadScenario(file, { sets });
    return null;
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return { field: e.fieldPath, problem: e.problem };
  }
}

describe('write and read sizes', () => {
  it('take 64KiB, 1.5KB or an integer of bytes', () => {
    const domu = 'scenarios/paper/fig3-domu.yaml';
    expect(net(domu, ['net.messageSize=64KiB']).messageSize).toBe(65536);
    expect(net(domu, ['net.messageSize=1.5KB']).messageSize).toBe(1500);
    expect(net(domu, ['net.messageSize=4096']).messageSize).toBe(4096);
    expect(net(domu, ['net.recvSize=8KiB']).recvSize).toBe(8192);
    expect((net(domu, ['net.phases=[{duration: 1s, messageSize: 1KiB}]']).phases as { messageSize: number }[])[0]!.messageSize).toBe(1024);
    const fleet = net('scenarios/scale/rack-16x16.yaml', ['net.fleet.traffic.0.messageSize=1KiB', 'net.fleet.traffic.0.phases=[{duration: 10ms, messageSize: 2KiB}]']).fleet as {
      traffic: { messageSize: number; phases: { messageSize: number }[] }[];
    };
    expect(fleet.traffic[0]!.messageSize).toBe(1024);
    expect(fleet.traffic[0]!.phases[0]!.messageSize).toBe(2048);
  });

  it('refuse non-sizes and more than 4 GiB a write, naming the field', () => {
    const domu = 'scenarios/paper/fig3-domu.yaml';
    expect(problemOf(domu, ['net.messageSize=lots'])).toEqual({ field: 'net.messageSize', problem: expect.stringMatching(/not a size: "lots"/) });
    expect(problemOf(domu, ['net.messageSize=0'])).toEqual({ field: 'net.messageSize', problem: expect.stringMatching(/not a size: 0/) });
    expect(problemOf(domu, ['net.messageSize=5GiB'])).toEqual({ field: 'net.messageSize', problem: expect.stringMatching(/at most 4 GiB/) });
    expect(problemOf(domu, ['net.recvSize=-1'])).toEqual({ field: 'net.recvSize', problem: expect.stringMatching(/not a size/) });
    // A fraction of a byte is refused, not rounded ("1.5" was 2 bytes); 1.5KB is 1500 exactly.
    expect(problemOf(domu, ['net.messageSize="1.5"'])).toEqual({ field: 'net.messageSize', problem: expect.stringMatching(/"1\.5" is 1\.5 bytes, not a whole number/) });
    expect(problemOf(domu, ['net.messageSize=1.1KiB'])).toEqual({ field: 'net.messageSize', problem: expect.stringMatching(/is 1126\.4 bytes, not a whole number/) });
    expect(net(domu, ['net.messageSize=0.5KiB']).messageSize).toBe(512);
    // At any size: a tolerance relative to the size let half a byte through from a million bytes up.
    expect(problemOf(domu, ['net.messageSize="1000000.5"'])).toEqual({ field: 'net.messageSize', problem: expect.stringMatching(/is 1000000\.5 bytes, not a whole number/) });
    expect(problemOf(domu, ['net.messageSize=1.0000005MB'])).toEqual({ field: 'net.messageSize', problem: expect.stringMatching(/not a whole number/) });
    expect(problemOf(domu, ['net.recvSize="1073741824.25"'])).toEqual({ field: 'net.recvSize', problem: expect.stringMatching(/not a whole number/) });
    expect(net(domu, ['net.messageSize=1.1MB']).messageSize).toBe(1_100_000);
    expect(net(domu, ['net.messageSize=0.001GB']).messageSize).toBe(1_000_000);
    expect(net(domu, ['net.messageSize=0.25KiB']).messageSize).toBe(256);
    expect(net(domu, ['net.messageSize=65536.000']).messageSize).toBe(65536);
  });
});
