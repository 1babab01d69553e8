// Main-thread side of checkpoints: gathers every partition's hosts for one
// instant and writes the file once all have arrived. A failed write is told
// on stderr and counted; the run goes on (the previous checkpoints stay).
import { statSync } from 'node:fs';
import type { CheckpointMessage } from '../kernel/partitionTask.ts';
import type { HostSection } from '../kernel/hostState.ts';
import { formatNs } from '../kernel/time.ts';
import type { OpenMetricsWriter } from '../metrics/openmetrics.ts';
import { writeCheckpoint, type CheckpointMeta } from './store.ts';

export class CheckpointCollector {
  private readonly pending = new Map<number, { parts: number; events: number; hosts: HostSection[]; captureMs: number }>();
  written = 0;
  failures = 0;
  lastFile: string | null = null;

  constructor(
    private readonly dir: string,
    private readonly meta: Omit<CheckpointMeta, 'instantNs' | 'eventsBase'>,
    private readonly om: OpenMetricsWriter | null,
    private readonly say: (line: string) => void,
  ) {}

  onSection(msg: CheckpointMessage, partitions: number): void {
    const { instantNs, events, hosts, captureMs } = msg.checkpoint;
    let p = this.pending.get(instantNs);
    if (!p) this.pending.set(instantNs, (p = { parts: 0, events: 0, hosts: [], captureMs: 0 }));
    p.parts++;
    p.events += events;
    p.captureMs = Math.max(p.captureMs, captureMs);
    p.hosts.push(...hosts);
    if (p.parts < partitions) return;
    this.pending.delete(instantNs);
    p.hosts.sort((a, b) => a.hostIndex - b.hostIndex);
    try {
      const t0 = performance.now();
      this.lastFile = writeCheckpoint(this.dir, {
        meta: { ...this.meta, instantNs, eventsBase: p.events },
        hosts: p.hosts,
        // Samples up to the instant only: a partition may already have sent later ones.
        openmetrics: this.om ? this.om.state(instantNs) : null,
      });
      const writeMs = performance.now() - t0;
      this.written++;
      const mb = statSync(this.lastFile).size / 1e6;
      this.say(`vioemu: checkpoint at ${formatNs(instantNs)} of virtual time: ${this.lastFile} (${mb.toFixed(2)} MB; capture ${p.captureMs.toFixed(0)} ms, write ${writeMs.toFixed(0)} ms)`);
    } catch (e) {
      this.failures++;
      this.say(`vioemu: could not write the checkpoint at ${formatNs(instantNs)}: ${(e as Error).message} (the run goes on; earlier checkpoints are kept)`);
    }
  }
}
