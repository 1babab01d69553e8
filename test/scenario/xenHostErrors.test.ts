// A Xen host's domains checked against the host (model: xen): settings that
// name what does not exist, or that sched_sedf.c would refuse, are errors
// naming their field, not runs that crash or quietly do something else.
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../src/scenario/load.ts';
import { xenConfig } from '../../src/scenario/xenScenario.ts';

const host = (domains: object[], policy: 'credit' | 'sedf' = 'credit') =>
  xenConfig(validateScenario({ model: 'xen', xen: { hosts: [{ scheduler: { policy }, domains }] } }, 'host.yaml'));

describe('xen host: domains against the host', () => {
  it('a valid host builds (the cases below differ from it in one field)', () => {
    expect(() => host([{ name: 'dom0', pin: [[7]], placement: [7] }, { name: 'u', workload: { kind: 'ping-pong', peer: 'dom0' } }])).not.toThrow();
    expect(() => host([{ name: 'dom0', sedf: { period: 20_000_000, slice: 20_000_000 } }], 'sedf')).not.toThrow();
  });

  it.each([
    ['a pin to a PCPU the host lacks', [{ name: 'dom0', pin: [[8]] }], 'credit', /host\.yaml: xen\.hosts\.0\.domains\.0\.pin: PCPU 8 does not exist \(host has 8\)/],
    ['a placement on a PCPU the host lacks', [{ name: 'dom0', placement: [8] }], 'credit', /xen\.hosts\.0\.domains\.0\.placement: PCPU 8 does not exist \(host has 8\)/],
    ['two domains of one name', [{ name: 'dom0' }, { name: 'u' }, { name: 'u' }], 'credit', /xen\.hosts\.0\.domains\.2\.name: duplicate domain name u/],
    ['a ping-pong peer that is not there', [{ name: 'dom0' }, { name: 'u', workload: { kind: 'ping-pong', peer: 'v' } }], 'credit', /xen\.hosts\.0\.domains\.1\.workload\.peer: no domain named v/],
    ['a ping-pong with itself', [{ name: 'dom0' }, { name: 'u', workload: { kind: 'ping-pong', peer: 'u' } }], 'credit', /xen\.hosts\.0\.domains\.1\.workload\.peer: the domain itself \(u\); a ping-pong wakes another domain's VCPU/],
    ['an SEDF slice longer than its period', [{ name: 'dom0', sedf: { period: 20_000_000, slice: 20_000_001 } }], 'sedf', /xen\.hosts\.0\.domains\.0\.sedf\.slice: slice must not exceed period/],
  ] as const)('%s is an error naming the field', (_what, domains, policy, message) => {
    expect(() => host([...domains], policy)).toThrow(message);
  });
});
