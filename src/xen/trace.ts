// Chrome trace-event timeline (Perfetto UI opens it): one track per PCPU with
// a slice per VCPU run, instants for wakes, boosts and migrations.

export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  s?: 't' | 'p' | 'g';
  cat?: string;
  args?: Record<string, unknown>;
}

const MAX_EVENTS = 2_000_000;

export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  dropped = 0;

  constructor(readonly pid: number, hostName: string, pcpus: number) {
    this.events.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: hostName } });
    for (let p = 0; p < pcpus; p++) {
      this.events.push({ name: 'thread_name', ph: 'M', pid, tid: p, args: { name: `PCPU ${p}` } });
      this.events.push({ name: 'thread_sort_index', ph: 'M', pid, tid: p, args: { sort_index: p } });
    }
  }

  private push(e: TraceEvent): void {
    if (this.events.length >= MAX_EVENTS) {
      this.dropped++;
      return;
    }
    this.events.push(e);
  }

  run(pcpu: number, vcpuName: string, startNs: number, endNs: number, args?: Record<string, unknown>): void {
    if (endNs <= startNs) return;
    this.push({ name: vcpuName, cat: 'run', ph: 'X', pid: this.pid, tid: pcpu, ts: startNs / 1000, dur: (endNs - startNs) / 1000, args });
  }

  instant(pcpu: number, name: string, atNs: number, args?: Record<string, unknown>): void {
    this.push({ name, cat: 'sched', ph: 'i', s: 't', pid: this.pid, tid: pcpu, ts: atNs / 1000, args });
  }
}
