// Scenario section and result summary of the kernel demo model (src/demo/ring.ts).
import { z } from 'zod';
import type { RingConfig, RingHostResult } from '../demo/ring.ts';
import type { RunOutput } from '../kernel/runner.ts';
import { durationNs, fraction, posInt } from './fields.ts';
import type { ModelAdapter, Scenario } from './model.ts';

const ringSection = z
  .object({
    hosts: posInt.default(2),
    actorsPerHost: posInt.default(64),
    tokensPerActor: posInt.default(4),
    linkLatency: durationNs.default('20us').refine((ns) => ns > 0, 'link latency must be positive'),
    meanHold: durationNs.default('10us').refine((ns) => ns > 0, 'mean hold time must be positive'),
    remoteFraction: fraction.default(0.2),
    actorKind: z.enum(['xstate', 'plain']).default('xstate'),
    /** Fault injection for tests: host 0 throws at this virtual time. */
    crashAt: durationNs.optional(),
  })
  .strict();

type RingSection = z.infer<typeof ringSection>;

export function ringConfig(sc: Scenario): RingConfig {
  const r = sc.ring as RingSection;
  return {
    hosts: r.hosts,
    actorsPerHost: r.actorsPerHost,
    tokensPerActor: r.tokensPerActor,
    linkLatencyNs: r.linkLatency,
    meanHoldNs: r.meanHold,
    remoteFraction: r.remoteFraction,
    actorKind: r.actorKind,
    crashAtNs: r.crashAt ?? null,
  };
}

export const ringAdapter: ModelAdapter = {
  name: 'ring',
  section: ringSection,
  hostCount: (sc) => (sc.ring as RingSection).hosts,
  lookaheadNs: (sc) => (sc.ring as RingSection).linkLatency,
  workerConfig: (sc) => ringConfig(sc),
  summarize(_sc, out: RunOutput) {
    const hosts = out.hosts.map((h) => h.result as RingHostResult);
    let checksum = 0;
    for (const h of hosts) checksum = (Math.imul(checksum ^ h.checksum, 0x01000193) >>> 0) ^ (checksum >>> 7);
    return {
      delivered: hosts.reduce((s, h) => s + h.delivered, 0),
      remoteSent: hosts.reduce((s, h) => s + h.remoteSent, 0),
      perHostDelivered: hosts.map((h) => h.delivered),
      checksum: checksum >>> 0,
    };
  },
};
