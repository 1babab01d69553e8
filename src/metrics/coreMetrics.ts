// Metrics every run exports, whatever the model.
import type { MetricDef } from '../kernel/metricSink.ts';

export const coreMetricDefs: readonly MetricDef[] = [
  { name: 'vioemu_virtual_time_seconds', help: 'Virtual time reached by the simulation (min over partitions)', type: 'gauge', labelNames: [] },
  { name: 'vioemu_wall_time_seconds', help: 'Wall-clock seconds since the run started', type: 'gauge', labelNames: [] },
  { name: 'vioemu_events_total', help: 'Kernel events processed', type: 'counter', labelNames: [] },
  { name: 'vioemu_realtime_factor', help: 'Virtual seconds per wall second so far', type: 'gauge', labelNames: [] },
];

/** The label a sweep adds to every series, the run's own too: the point's label (`path=value,…`, as in its result). */
export const POINT_LABEL = 'point';
