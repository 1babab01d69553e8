// Network-path metrics: per queue drops and depth, packets
// and bytes per stage, TCP retransmits, cycles per component. Never per flow.
import type { MetricDef } from '../kernel/metricSink.ts';

export const QUEUE_NAMES = ['nic_ring', 'backlog', 'netback_txq', 'frontend_ring'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const netMetricDefs: readonly MetricDef[] = [
  { name: 'vioemu_queue_drops_total', help: 'Packets dropped at a queue (nic_ring|backlog|netback_txq|frontend_ring)', type: 'counter', labelNames: ['host', 'queue'] },
  { name: 'vioemu_queue_depth', help: 'Packets waiting in a queue (sampled)', type: 'gauge', labelNames: ['host', 'queue'] },
  { name: 'vioemu_net_packets_total', help: 'Packets through a stage of the path', type: 'counter', labelNames: ['host', 'stage'] },
  { name: 'vioemu_net_bytes_total', help: 'Payload bytes through a stage of the path', type: 'counter', labelNames: ['host', 'stage'] },
  { name: 'vioemu_app_received_bytes_total', help: 'Bytes read by the receiving application (iperf) per domain', type: 'counter', labelNames: ['host', 'domain'] },
  { name: 'vioemu_tcp_retransmits_total', help: 'TCP segments retransmitted by senders on this host', type: 'counter', labelNames: ['host'] },
  { name: 'vioemu_tcp_timeouts_total', help: 'TCP retransmission timeouts on this host', type: 'counter', labelNames: ['host'] },
  {
    name: 'vioemu_tcp_sender_queue_refusals_total',
    help: "TCP segments the sending host's own device queue refused (local congestion: not sent, the connection enters CWR)",
    type: 'counter',
    labelNames: ['host'],
  },
  { name: 'vioemu_component_cycles_total', help: 'CPU cycles charged to a path component', type: 'counter', labelNames: ['host', 'component'] },
  { name: 'vioemu_component_packets_total', help: 'Packets handled by a path component (cycles per packet = ratio of the two)', type: 'counter', labelNames: ['host', 'component'] },
];
