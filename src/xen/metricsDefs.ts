// Scheduler metrics. Labels: host, domain, pcpu, distance;
// per-VCPU series only behind --per-vcpu-metrics.
import type { MetricDef } from '../kernel/metricSink.ts';

export const WAKE_LATENCY_BUCKETS_S = [1e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 3e-2, 1e-1];

export const xenMetricDefs: readonly MetricDef[] = [
  { name: 'vioemu_domain_cpu_seconds_total', help: 'Virtual CPU seconds a domain ran (sum over its VCPUs)', type: 'counter', labelNames: ['host', 'domain'] },
  { name: 'vioemu_pcpu_busy_seconds_total', help: 'Virtual seconds a PCPU ran a non-idle VCPU', type: 'counter', labelNames: ['host', 'pcpu'] },
  { name: 'vioemu_sched_context_switches_total', help: 'Context switches to a VCPU of the domain', type: 'counter', labelNames: ['host', 'domain'] },
  { name: 'vioemu_sched_wakeups_total', help: 'Wakeups of blocked VCPUs of the domain', type: 'counter', labelNames: ['host', 'domain'] },
  { name: 'vioemu_sched_boosts_total', help: 'Wakeups that gave a VCPU BOOST priority', type: 'counter', labelNames: ['host', 'domain'] },
  { name: 'vioemu_sched_migrations_total', help: 'VCPU moves between PCPUs by cache distance', type: 'counter', labelNames: ['host', 'domain', 'distance'] },
  { name: 'vioemu_sched_runqueue_length', help: 'Runnable VCPUs queued on a PCPU (sampled at accounting)', type: 'gauge', labelNames: ['host', 'pcpu'] },
  { name: 'vioemu_sched_credit', help: 'Credit of the domain, summed over its VCPUs (sampled at accounting)', type: 'gauge', labelNames: ['host', 'domain'] },
  { name: 'vioemu_sched_credit_stolen_total', help: 'Credit moved from idle to I/O VCPUs by credit stealing (Opt B)', type: 'counter', labelNames: ['host', 'domain'] },
  { name: 'vioemu_sched_wake_latency_seconds', help: 'Virtual time from a VCPU wakeup to it running', type: 'histogram', labelNames: ['host', 'domain'], buckets: WAKE_LATENCY_BUCKETS_S },
  { name: 'vioemu_vcpu_cpu_seconds_total', help: 'Virtual CPU seconds per VCPU (opt-in: --per-vcpu-metrics)', type: 'counter', labelNames: ['host', 'domain', 'vcpu'] },
  { name: 'vioemu_vcpu_credit', help: 'Credit per VCPU (opt-in: --per-vcpu-metrics)', type: 'gauge', labelNames: ['host', 'domain', 'vcpu'] },
];
