// YAML schema of a fleet (`net.fleet`): racks of Xen hosts built from host
// and DomU templates with counts, the links and switches that join them, the
// traffic patterns between DomUs and which metrics to keep per DomU. Every
// host runs the network path of `model: net` with the settings under `net`
// (costs, TCP, netback, netfront, scheduler); docs/scale.md describes it.
import { z } from 'zod';
import { creditCap, creditWeight, durationNs, messageBytes, nonNegInt, posInt, sizeBytes } from './fields.ts';
import { topologySchema } from './xenSchema.ts';

const positiveDuration = durationNs.refine((ns) => ns > 0, 'must be positive');

/** A host template: CPU layout and clock, and Dom0's share of it. */
const hostTemplate = z
  .object({
    topology: topologySchema.default({}),
    dom0: z
      .object({
        // Assumption (docs/scale.md): a consolidation host's Dom0 gets a couple of VCPUs, not one per core.
        vcpus: posInt.max(64).default(2),
        weight: creditWeight,
        cap: creditCap,
      })
      .strict()
      .default({}),
  })
  .strict();

/** A DomU template: Xen's per-domain scheduling parameters. */
const domuTemplate = z
  .object({ vcpus: posInt.max(64).default(1), weight: creditWeight, cap: creditCap })
  .strict();

const hostGroup = z
  .object({
    template: z.string().default('default'),
    count: posInt.max(1024).default(1),
    domus: z
      .array(z.object({ template: z.string().default('default'), count: posInt.max(64).default(1) }).strict())
      .min(1)
      .default([{}]),
  })
  .strict();

// A rack whose hosts are left out has two of the default template: the default traffic (bulk to the next
// host) needs two, so `net.fleet: {}` runs as it stands.
const rackGroup = z.object({ count: posInt.max(256).default(1), hosts: z.array(hostGroup).min(1).default([{ count: 2 }]) }).strict();

const link = (rateGbps: number, latency: string) =>
  z
    .object({
      rateGbps: z.number().min(0.001, 'at least 0.001 Gb/s (1 Mb/s)').max(1000).default(rateGbps),
      // One-way latency besides serialization: NIC DMA, PHY and cable (assumption, docs/scale.md).
      latency: positiveDuration.default(latency),
    })
    .strict()
    .default({});

const buffer = z.discriminatedUnion('mode', [
  // Each output port has its own buffer (bytes).
  z.object({ mode: z.literal('per-port'), bytes: sizeBytes.default('256KiB') }).strict(),
  // One shared buffer; a port may queue while its queue < alpha × (free buffer): Choudhury–Hahne dynamic threshold.
  z.object({ mode: z.literal('shared'), bytes: sizeBytes.default('4MiB'), alpha: z.number().positive().max(64).default(1) }).strict(),
]);

const switchSchema = (fwd: string, defaultBuffer: z.input<typeof buffer>) =>
  z
    .object({
      // Store-and-forward lookup and crossbar latency, from the last bit in to the output queue (assumption, docs/scale.md).
      forwardingLatency: positiveDuration.default(fwd),
      // A buffer given without a mode keeps this switch's default mode (--set net.fleet.tor.buffer.bytes=1MiB).
      buffer: z.preprocess((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !('mode' in v) ? { mode: defaultBuffer.mode, ...v } : v), buffer).default(defaultBuffer),
    })
    .strict()
    .default({});

const phase = z
  .object({ duration: positiveDuration, active: z.boolean().default(true), messageSize: messageBytes.optional() })
  .strict();

const peer = z.enum(['next-host', 'same-host', 'next-rack']);
const common = {
  /** iperf -l of the writers (default: net.messageSize). */
  messageSize: messageBytes.optional(),
  phases: z.array(phase).default([]),
};

export const trafficSchema = z.discriminatedUnion('pattern', [
  // iperf-like bulk senders: DomU → its peer, `flows` connections each.
  z.object({ pattern: z.literal('bulk'), peer: peer.default('next-host'), flows: posInt.max(64).default(1), ...common }).strict(),
  // Every DomU sends to one other, chosen by a seeded random derangement.
  z.object({ pattern: z.literal('permutation'), flows: posInt.max(64).default(1), ...common }).strict(),
  // Every DomU of a group of consecutive DomUs sends to every other of the group.
  z.object({ pattern: z.literal('all-to-all'), groupSize: posInt.min(2).max(4096).optional(), ...common }).strict(),
  // N senders answer a request from one aggregator with a block each; the next round starts when all blocks are in.
  z
    .object({
      pattern: z.literal('incast'),
      fanIn: posInt.max(4095).default(16),
      receivers: posInt.max(1024).default(1),
      blockSize: sizeBytes.default('256KiB'),
      requestSize: sizeBytes.default(64),
      ...common,
    })
    .strict(),
  // Closed-loop request/response with small messages: a client waits for each response before the next request.
  z
    .object({
      pattern: z.literal('request-response'),
      peer: peer.default('next-host'),
      requestSize: sizeBytes.default('1KiB'),
      responseSize: sizeBytes.default('4KiB'),
      ...common,
    })
    .strict(),
]);

export const fleetSchema = z
  .object({
    hostTemplates: z.record(z.string().min(1), hostTemplate).default({ default: {} }),
    domuTemplates: z.record(z.string().min(1), domuTemplate).default({ default: {} }),
    topology: z.object({ racks: z.array(rackGroup).min(1).default([{}]) }).strict().default({}),
    links: z
      .object({
        host: link(10, '2us'),
        /** Each ToR's uplink to the aggregation switch: hosts × host rate ÷ oversubscription. */
        oversubscription: z.number().positive().max(1024).default(4),
        uplinkLatency: positiveDuration.default('2us'),
      })
      .strict()
      .default({}),
    // Assumptions (docs/scale.md): a shallow per-port buffer in the ToR, a larger shared one in the aggregation chassis.
    tor: switchSchema('1us', { mode: 'per-port' }),
    aggregation: switchSchema('2us', { mode: 'shared' }),
    traffic: z.array(trafficSchema).min(1).default([{ pattern: 'bulk' }]),
    metrics: z
      .object({
        // Series per DomU (scheduler, goodput); off: per host and per rack only.
        perDomU: z.boolean().default(false),
        // At least 1 ms of virtual time: every sample walks every host's and switch port's series.
        sampleEvery: durationNs.default('100ms').refine((ns) => ns >= 1_000_000, 'too short: at least 1ms (every sample walks every series of the fleet)'),
      })
      .strict()
      .default({}),
  })
  .strict();

export type FleetSection = z.infer<typeof fleetSchema>;
export type TrafficSection = z.infer<typeof trafficSchema>;
