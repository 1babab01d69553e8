// compose.yaml (docker is not needed to run the tests): valid YAML with Redis,
// NATS, two queue workers and the optional partition process, whose commands
// are ones the CLI accepts.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parsePartition, parseTransportUrl } from '../../src/cluster/url.ts';
import { parseQueueUrl } from '../../src/queue/url.ts';

interface Service {
  image: string;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  volumes?: string[];
}

const compose = parse(readFileSync(new URL('../../compose.yaml', import.meta.url), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };

describe('compose.yaml', () => {
  it('has Redis, NATS and two queue workers that install once and wait for Redis', () => {
    const s = compose.services;
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['redis', 'nats', 'install', 'worker1', 'worker2', 'partition1']));
    expect(s.redis!.image).toMatch(/^redis:/);
    expect(s.nats!.image).toMatch(/^nats:/);
    for (const w of [s.worker1!, s.worker2!]) {
      expect(w.image).toBe('node:20');
      expect(w.command!.slice(0, 4)).toEqual(['node', 'bin/vioemu.js', 'worker', '--queue']);
      expect(parseQueueUrl(w.command![4]!).host).toBe('redis');
      expect(w.depends_on!.install!.condition).toBe('service_completed_successfully');
      expect(w.volumes).toContain('node_modules:/app/node_modules');
      expect(w.profiles).toBeUndefined();
    }
    expect(s.install!.command).toEqual(['npm', 'ci', '--no-audit', '--no-fund']);
    expect(compose.volumes).toHaveProperty('node_modules');
  });

  it('the partition process (profile "partitions") is partition 1 of 2 over the compose NATS', () => {
    const p = compose.services.partition1!;
    expect(p.profiles).toEqual(['partitions']);
    const args = p.command!;
    expect(args.slice(0, 3)).toEqual(['node', 'bin/vioemu.js', 'run']);
    const flag = (name: string) => args[args.indexOf(name) + 1]!;
    expect(parseTransportUrl(flag('--transport')).host).toBe('nats');
    expect(parsePartition(flag('--partition'))).toEqual({ k: 1, n: 2 });
  });
});
