// Scenario section and result summary of the kernel demo model (src/demo/ring.ts).
import { z } from 'zod';
import type { RingConfig, RingHostResult } from '../demo/ring.ts';
import type { RunOutput } from '../kernel/runner.ts';
import { ScenarioError } from './errors.ts';
import { durationNs, fraction, posInt } from './fields.ts';
import type { ModelAdapter, Scenario } from './model.ts';

/** Size limits of one ring run: beyond them it cannot fit (ids, memory). */
export const RING_LIMITS = {
  hosts: 4096,
  /** Local actor ids are below 2^20; the last one is the crash injector's. */
  actorsPerHost: (1 << 20) - 1,
  actors: 1 << 20,
  tokens: 1 << 24,
};

const ringSection = z
  .object({
    hosts: posInt.max(RING_LIMITS.hosts, `at most ${RING_LIMITS.hosts} hosts fit in one run`).default(2),
    actorsPerHost: posInt.max(RING_LIMITS.actorsPerHost, `at most ${RING_LIMITS.actorsPerHost} actors per host (actor ids have 20 bits)`).default(64),
    tokensPerActor: posInt.max(RING_LIMITS.tokens, `at most ${RING_LIMITS.tokens} tokens fit in one run`).default(4),
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
  check(sc, file) {
    const r = sc.ring as RingSection;
    const actors = r.hosts * r.actorsPerHost;
    if (actors > RING_LIMITS.actors) {
      throw new ScenarioError(file, 'ring.actorsPerHost', `${r.hosts} hosts × ${r.actorsPerHost} actors = ${actors} actors; at most ${RING_LIMITS.actors} fit in one run`);
    }
    if (actors * r.tokensPerActor > RING_LIMITS.tokens) {
      throw new ScenarioError(file, 'ring.tokensPerActor', `${actors} actors × ${r.tokensPerActor} tokens = ${actors * r.tokensPerActor} tokens; at most ${RING_LIMITS.tokens} fit in one run`);
    }
  },
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
