// Fleet metrics: per host and per rack by default — a
// `rack` label on host series lets PromQL sum by rack — and per DomU only
// when net.fleet.metrics.perDomU asks. A switch is a host of the run: its
// series carry its name as `host` (checkpoints carry each host's series).
import type { MetricDef } from '../../kernel/metricSink.ts';

/** Per-DomU goodput over a sample interval, bytes per virtual second (1 Mb/s … 10 Gb/s). */
export const GOODPUT_BUCKETS = [1e6, 1e7, 5e7, 1e8, 2e8, 5e8, 1e9, 2e9, 5e9, 1e10].map((bitsPerSec) => bitsPerSec / 8);
/** Request latency (request written → whole response read), seconds. */
export const LATENCY_BUCKETS_S = [1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 0.1, 0.25, 1];

export const FLEET_DROP_QUEUES = ['nic_ring', 'nic_txq', 'netback_txq', 'backlog', 'guest_txq'] as const;

export const fleetMetricDefs: readonly MetricDef[] = [
  { name: 'vioemu_fleet_goodput_bytes_total', help: 'Bytes read by the applications of all DomUs of a host', type: 'counter', labelNames: ['rack', 'host'] },
  { name: 'vioemu_fleet_domu_goodput_bytes_total', help: 'Bytes read by the applications of one DomU (opt-in: net.fleet.metrics.perDomU)', type: 'counter', labelNames: ['rack', 'host', 'domain'] },
  { name: 'vioemu_fleet_domu_goodput_bytes_per_second', help: 'Goodput of each DomU that receives some flow, over a sample interval, bytes per virtual second (one observation per such DomU per interval)', type: 'histogram', labelNames: ['rack', 'host'], buckets: GOODPUT_BUCKETS },
  { name: 'vioemu_fleet_dom0_vcpu_busy_seconds_total', help: 'Virtual seconds a Dom0 VCPU ran', type: 'counter', labelNames: ['rack', 'host', 'vcpu'] },
  { name: 'vioemu_fleet_drops_total', help: 'Packets dropped on a host (nic_ring|nic_txq|netback_txq|backlog|guest_txq)', type: 'counter', labelNames: ['rack', 'host', 'queue'] },
  { name: 'vioemu_fleet_tcp_timeouts_total', help: 'TCP retransmission timeouts of the senders in a host\'s DomUs', type: 'counter', labelNames: ['rack', 'host'] },
  { name: 'vioemu_fleet_tcp_retransmits_total', help: 'TCP segments retransmitted by the senders in a host\'s DomUs', type: 'counter', labelNames: ['rack', 'host'] },
  { name: 'vioemu_fleet_packets_total', help: 'Packets leaving a host\'s Dom0 bridge, to the wire or to another DomU of the host (path=wire|local)', type: 'counter', labelNames: ['rack', 'host', 'path'] },
  { name: 'vioemu_request_latency_seconds', help: 'Request/response latency seen by clients (request written → response read)', type: 'histogram', labelNames: ['rack', 'host'], buckets: LATENCY_BUCKETS_S },
  { name: 'vioemu_switch_drops_total', help: 'Frames a switch port dropped (drop-tail); host = the switch', type: 'counter', labelNames: ['host', 'port'] },
  { name: 'vioemu_switch_tx_bytes_total', help: 'Bytes a switch port sent; host = the switch', type: 'counter', labelNames: ['host', 'port'] },
  { name: 'vioemu_switch_queue_bytes', help: 'Bytes queued at a switch port (sampled); host = the switch', type: 'gauge', labelNames: ['host', 'port'] },
  { name: 'vioemu_switch_queue_byte_seconds_total', help: 'Integral of a switch port\'s queue over virtual time (its rate is the mean queue in bytes); host = the switch', type: 'counter', labelNames: ['host', 'port'] },
];
