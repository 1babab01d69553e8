// YAML schema of Xen hosts: topology, scheduler, costs, domains, workloads.
// Defaults are the paper's SUT and Xen 3.1's constants (sources in comments).
import { z } from 'zod';
import { formatNs } from '../kernel/time.ts';
import { MAX_HOST_VCPUS } from '../xen/actorLayout.ts';
import { checkPerVcpuLists, creditCap, creditWeight, durationNs, nonNegInt, posInt } from './fields.ts';

/** Most PCPUs one emulated host may have (Xen 3.1 builds for 32 by default; NR_CPUS can be raised). */
export const MAX_PCPUS = 1024;
const perLevel = (what: string) => posInt.max(64, `at most 64 ${what}`);

export const topologySchema = z
  .object({
    sockets: perLevel('sockets').default(2),
    l2PerSocket: perLevel('L2 caches per socket').default(2),
    coresPerL2: perLevel('cores per L2').default(2),
    // Xeon 5300 parts ran 1.6–3.0 GHz; the paper does not say which.
    clockGHz: z.number().min(0.1, 'at least 0.1 GHz').max(10).default(2.33),
  })
  .strict()
  .superRefine((t, ctx) => {
    const pcpus = t.sockets * t.l2PerSocket * t.coresPerL2;
    if (pcpus > MAX_PCPUS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${t.sockets} sockets × ${t.l2PerSocket} L2 × ${t.coresPerL2} cores = ${pcpus} PCPUs; at most ${MAX_PCPUS}` });
    }
  });

/** sched_credit.c's CSCHED_MSECS_PER_TICK, as a scenario writes it. */
export const CREDIT_TICK_DEFAULT = '10ms';

const TICKS_PER_SLICE_DEFAULT = 3;

export const schedulerSchema = z
  .object({
    policy: z.enum(['credit', 'sedf']).default('credit'),
    // sched_credit.c: CSCHED_MSECS_PER_TICK 10, TICKS_PER_TSLICE 3, TICKS_PER_ACCT 3, CREDITS_PER_TICK 100.
    tick: durationNs.default(CREDIT_TICK_DEFAULT).refine((ns) => ns >= 1000, 'too short: at least 1us (every tick is an event on every PCPU; Xen 3.1 ticks every 10ms)'),
    ticksPerSlice: posInt.default(TICKS_PER_SLICE_DEFAULT),
    ticksPerAcct: posInt.default(3),
    creditsPerTick: posInt.default(100),
    /** Opt A: cache-aware placement of I/O VCPU pairs (paper §5.1). */
    cacheAware: z.boolean().default(false),
    /** Opt B: credit stealing from idle to I/O VCPUs (paper §5.2). */
    creditSteal: z.boolean().default(false),
    /** I/O events per time slice above which a VCPU pair is I/O-bound (paper §5.1: 150). */
    ioThreshold: posInt.default(150),
  })
  .strict()
  .superRefine((s, ctx) => {
    // A time slice is one timer (tick × ticksPerSlice): beyond 2^53 ns it cannot be armed, and the run would fail at its start.
    const sliceNs = s.tick * s.ticksPerSlice;
    if (sliceNs > Number.MAX_SAFE_INTEGER) {
      // Named where it was set: a long tick with the default slice is the tick's fault.
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [s.ticksPerSlice === TICKS_PER_SLICE_DEFAULT ? 'tick' : 'ticksPerSlice'], message: `${s.ticksPerSlice} ticks of ${formatNs(s.tick)} make a time slice beyond 2^53 ns (about 104 days), the limit of virtual time` });
    }
  });

export const workloadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('idle') }).strict(),
  z.object({ kind: z.literal('cpu-hog'), chunkCycles: posInt.min(1000, 'at least 1000 cycles (each chunk is an event)').max(1e12, 'at most 1e12 cycles').default(1_000_000) }).strict(),
  z.object({ kind: z.literal('io-wake'), interval: durationNs.refine((ns) => ns >= 1000, 'too short: at least 1us (each wake-up is an event)'), burstCycles: posInt.max(1e12, 'at most 1e12 cycles').default(20_000) }).strict(),
  z.object({ kind: z.literal('ping-pong'), peer: z.string(), burstCycles: posInt.max(1e12, 'at most 1e12 cycles').default(20_000) }).strict(),
]);

export const domainSchema = z
  .object({
    name: z.string().min(1),
    // Xen defaults: weight 256, cap 0 (none).
    weight: creditWeight,
    cap: creditCap,
    vcpus: posInt.max(64).default(1),
    /** PCPUs each VCPU may run on: null/absent = any; a list = all VCPUs share it; a list of lists = per VCPU. */
    pin: z.union([z.array(nonNegInt).min(1, 'an empty list pins to no PCPU'), z.array(z.array(nonNegInt).min(1, 'an empty list pins to no PCPU')).min(1, 'an empty list pins to no PCPU')]).nullable().default(null),
    /** Initial PCPU per VCPU; default as Xen places them (Dom0 VCPU i on PCPU i; others least loaded, highest number). */
    placement: z.array(nonNegInt).min(1, 'an empty list places no VCPU (leave it out for Xen\'s placement)').optional(),
    sedf: z
      .object({
        period: durationNs.optional(),
        slice: durationNs.optional(),
        extratime: z.boolean().optional(),
      })
      .strict()
      .default({}),
    workload: workloadSchema.default({ kind: 'idle' }),
  })
  .strict()
  .superRefine(checkPerVcpuLists);

export const xenHostSchema = z
  .object({
    name: z.string().default('sut'),
    topology: topologySchema.default({}),
    scheduler: schedulerSchema.default({}),
    costs: z
      .object({
        contextSwitchCycles: nonNegInt.max(1e9, 'at most 1e9 cycles').default(4000),
        eventChannelCycles: nonNegInt.max(1e9, 'at most 1e9 cycles').default(1500),
      })
      .strict()
      .default({}),
    domains: z.array(domainSchema).min(1),
  })
  .strict()
  .superRefine((h, ctx) => {
    const vcpus = h.domains.reduce((a, d) => a + d.vcpus, 0);
    if (vcpus > MAX_HOST_VCPUS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['domains'], message: `${vcpus} VCPUs over the host's ${h.domains.length} domains; at most ${MAX_HOST_VCPUS} on one host` });
    }
  });

export type XenHostSection = z.infer<typeof xenHostSchema>;
export type DomainSection = z.infer<typeof domainSchema>;
