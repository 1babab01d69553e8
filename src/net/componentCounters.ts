// vioemu_component_cycles_total / _packets_total of one host: pushed as deltas of the host's per-component
// counters (HostStats.components), which restart at the end of warm-up while the metrics keep counting.
import type { Sim } from '../kernel/sim.ts';
import type { XenHost } from '../xen/host.ts';

export class ComponentCounters {
  private readonly last = new Map<string, { cycles: number; packets: number }>();

  constructor(
    private readonly sim: Sim,
    private readonly host: XenHost,
    private readonly hostLabel: string,
  ) {}

  /** What each component did since the last push. */
  push(): void {
    const m = this.sim.metrics;
    for (const [name, c] of this.host.stats.components) {
      const prev = this.last.get(name) ?? { cycles: 0, packets: 0 };
      m.inc('vioemu_component_cycles_total', [this.hostLabel, name], Math.max(0, c.cycles - prev.cycles));
      m.inc('vioemu_component_packets_total', [this.hostLabel, name], Math.max(0, c.packets - prev.packets));
      this.last.set(name, { cycles: c.cycles, packets: c.packets });
    }
  }

  /** The host's counters restarted (warm-up): so do the baselines. Push first, or what came since is lost. */
  restart(): void {
    this.last.clear();
  }
}
