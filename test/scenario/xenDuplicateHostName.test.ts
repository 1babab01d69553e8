// A xen host's name is the `host` label of all its metric series. Two hosts of
// one name (e.g. both left at the default `sut`) shared every series: on one
// partition their counters were summed into one (a domain at 125% of a core),
// on two the partitions' flushes overwrote each other, so a live counter went
// back and forth. Like two domains of one name, it is an error naming the field.
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../src/scenario/load.ts';
import { xenConfig } from '../../src/scenario/xenScenario.ts';

const config = (hosts: object[]) => xenConfig(validateScenario({ model: 'xen', xen: { hosts } }, 'hosts.yaml'));
const domains = [{ name: 'dom0' }, { name: 'hog0', workload: { kind: 'cpu-hog' } }];

describe('xen hosts: names', () => {
  it('distinct names build', () => {
    expect(config([{ name: 'a', domains }, { name: 'b', domains }]).hosts.map((h) => h.name)).toEqual(['a', 'b']);
  });

  it('two hosts left at the default name are an error naming the second', () => {
    expect(() => config([{ domains }, { domains }])).toThrow(/hosts\.yaml: xen\.hosts\.1\.name: duplicate host name sut/);
  });

  it('two hosts given one name are an error naming the field', () => {
    expect(() => config([{ name: 'x', domains }, { name: 'y', domains }, { name: 'x', domains }])).toThrow(/xen\.hosts\.2\.name: duplicate host name x/);
  });
});
