// Main-thread side of a run: a piscina pool of long-lived partition tasks
// (minThreads = maxThreads, idleTimeout Infinity, never more long-lived tasks
// than threads), MessagePorts between every pair of partitions (they hand over
// the SharedArrayBuffer rings that carry the batches, sabTransport.ts), a
// shared control block for the barrier, progress and Ctrl-C.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { SharedControl } from './barrier.ts';
import type { BuildOptions } from './model.ts';
import type { CheckpointMessage, HostResult, PartitionError, PartitionTaskInput, PartitionTaskOutput } from './partitionTask.ts';
import type { HostSection } from './hostState.ts';
import type { MetricUpdate } from './metricSink.ts';

export interface MetricsMessage {
  partition: number;
  updates: MetricUpdate[];
  nowNs: number;
  events: number;
  final: boolean;
}

/** Every series at one virtual instant (for OpenMetrics export). */
export interface SampleMessage {
  partition: number;
  sample: { tNs: number; series: MetricUpdate[]; events: number };
}

export interface RunRequest {
  model: string;
  cfg: unknown;
  seed: number;
  endNs: number;
  lookaheadNs: number;
  hostCount: number;
  /** Partitions wanted; capped by the host count. */
  partitions: number;
  /** Host index → partition (0..P-1, each used); default: `partitions` contiguous blocks (assignHosts). */
  hostPartition?: number[];
  build: BuildOptions;
  pace?: number;
  metricsIntervalMs?: number;
  onMetrics?: (msg: MetricsMessage) => void;
  onSample?: (msg: SampleMessage) => void;
  sampleEveryNs?: number;
  onProgress?: (p: { nowNs: number; events: number }) => void;
  progressIntervalMs?: number;
  /** Checkpoints: every partition captures its hosts each `everyNs` of virtual time and hands them to `onSection`. */
  checkpoint?: { everyNs: number; onSection: (msg: CheckpointMessage) => void };
  /** Resume from a checkpoint: its instant, the events done by then, every host's section. */
  restore?: { instantNs: number; eventsBase: number; hosts: HostSection[] };
  /**
   * Stopped before it starts (Ctrl-C came first): the flag is up before any partition is handed its task, so
   * each stops at its first window. Set through the handle afterwards, it races the worker: a main thread
   * preempted between starting the task and stopping it let a partition run windows meanwhile.
   */
  stopped?: boolean;
}

export interface RunOutput {
  hosts: HostResult[];
  reachedNs: number;
  events: number;
  xstateEvents: number;
  windows: number;
  crossMessages: number;
  interrupted: boolean;
  partitions: number;
  trace: unknown[];
  error: PartitionTaskOutput['error'];
  /** Wall clock (ms since the epoch) when the last partition began simulating (NaN if none did). */
  simStartedAtMs: number;
}

export interface RunHandle {
  done: Promise<RunOutput>;
  /** Ask every partition to stop at its next window (Ctrl-C). */
  stop(): void;
}

function tsxImportUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** Contiguous blocks of hosts per partition, so neighbours share a partition. */
export function assignHosts(hostCount: number, partitions: number): number[] {
  return Array.from({ length: hostCount }, (_, h) => Math.floor((h * partitions) / hostCount));
}

/**
 * The error to report for a run: the earliest (virtual time, then partition)
 * of the partitions' own failures — never the "aborted" echo of the others.
 */
export function firstRealError(outs: readonly PartitionTaskOutput[]): PartitionError | null {
  const errors = outs.map((o) => o.error).filter((e): e is PartitionError => e !== null);
  const real = errors.filter((e) => !e.echo);
  const pool = real.length > 0 ? real : errors;
  let best: PartitionError | null = null;
  for (const e of pool) if (!best || e.atNs < best.atNs || (e.atNs === best.atNs && e.partition < best.partition)) best = e;
  return best;
}

/** The run's output from its partitions' outputs (any order). */
export function mergeOutputs(outs: PartitionTaskOutput[], partitions: number): RunOutput {
  outs = [...outs].sort((a, b) => a.self - b.self);
  const hosts = outs.flatMap((o) => o.hosts).sort((a, b) => a.hostIndex - b.hostIndex);
  return {
    hosts,
    reachedNs: Math.min(...outs.map((o) => o.reachedNs)),
    events: outs.reduce((s, o) => s + o.events, 0),
    xstateEvents: outs.reduce((s, o) => s + o.xstateEvents, 0),
    windows: Math.max(...outs.map((o) => o.windows)),
    crossMessages: outs.reduce((s, o) => s + o.crossMessages, 0),
    interrupted: outs.some((o) => o.interrupted),
    partitions,
    trace: outs.flatMap((o) => o.trace),
    error: firstRealError(outs),
    simStartedAtMs: Math.max(...outs.map((o) => o.startedAtMs)),
  };
}

export class PartitionPool {
  private readonly pool: Piscina;

  /**
   * `workerUrl`: a module whose default export runs a PartitionTaskInput (see
   * runPartitionTask); a .ts one is loaded through tsx.
   */
  constructor(readonly threads: number, workerUrl: string) {
    this.pool = new Piscina({
      filename: workerUrl,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: 1,
      // A TypeScript entry needs tsx in the worker; a precompiled one (dist/) starts without it.
      ...(/\.[cm]?ts$/.test(new URL(workerUrl).pathname) ? { execArgv: ['--import', tsxImportUrl()] } : {}),
    });
  }

  start(req: RunRequest): RunHandle {
    const hostPartition = req.hostPartition ?? assignHosts(req.hostCount, Math.max(1, Math.min(req.partitions, req.hostCount)));
    const P = Math.max(0, ...hostPartition) + 1;
    if (hostPartition.length !== req.hostCount || hostPartition.some((p) => !Number.isInteger(p) || p < 0) || new Set(hostPartition).size !== P) {
      throw new Error(`hostPartition must place each of the ${req.hostCount} hosts in partitions 0..P-1, each used`);
    }
    if (P > this.threads) throw new Error(`run wants ${P} partitions but the pool has ${this.threads} threads`);
    if (P > 1 && !(req.lookaheadNs > 0)) {
      throw new Error('cross-host latency is 0: partitions cannot run ahead of each other; use --workers 1 or set sync.minLookaheadNs');
    }
    const control = new SharedControl(P);
    control.f64.fill(0);
    if (req.stopped) control.requestStop();
    const ports: (MessagePort | null)[][] = Array.from({ length: P }, () => Array<MessagePort | null>(P).fill(null));
    for (let a = 0; a < P; a++) {
      for (let b = a + 1; b < P; b++) {
        const ch = new MessageChannel();
        ports[a]![b] = ch.port1;
        ports[b]![a] = ch.port2;
      }
    }
    const metricPorts: MessagePort[] = [];
    let finalsSeen = 0;
    let allFinal: () => void = () => {};
    const finalsDone = new Promise<void>((resolve) => (allFinal = resolve));
    const tasks: Promise<PartitionTaskOutput>[] = [];
    for (let p = 0; p < P; p++) {
      let metricsPort: MessagePort | null = null;
      if (req.onMetrics || req.checkpoint || req.onSample) {
        const ch = new MessageChannel();
        ch.port1.on('message', (m: MetricsMessage | SampleMessage | CheckpointMessage) => {
          if ('sample' in m) {
            req.onSample?.(m);
            return;
          }
          if ('checkpoint' in m) {
            req.checkpoint?.onSection(m);
            return;
          }
          req.onMetrics?.(m);
          if (m.final && ++finalsSeen === P) allFinal();
        });
        metricPorts.push(ch.port1);
        metricsPort = ch.port2;
      }
      const input: PartitionTaskInput = {
        model: req.model,
        cfg: req.cfg,
        seed: req.seed,
        endNs: req.endNs,
        lookaheadNs: P > 1 ? req.lookaheadNs : Infinity,
        hostPartition,
        partitions: P,
        self: p,
        controlBuffer: control.buffer,
        ports: ports[p]!,
        metricsPort,
        metricsIntervalMs: req.metricsIntervalMs ?? 250,
        build: req.build,
        pace: req.pace ?? 0,
        sampleEveryNs: req.onSample ? (req.sampleEveryNs ?? 0) : 0,
        checkpointEveryNs: req.checkpoint?.everyNs ?? 0,
        restore: req.restore
          ? { instantNs: req.restore.instantNs, eventsBase: req.restore.eventsBase, hosts: req.restore.hosts.filter((h) => hostPartition[h.hostIndex] === p) }
          : undefined,
      };
      const transferList = [...ports[p]!.filter((x): x is MessagePort => x !== null), ...(metricsPort ? [metricsPort] : [])];
      tasks.push(
        this.pool.run(input, { transferList: transferList as never }).catch((e: Error) => {
          // The worker itself died (not a model error caught in the task): keep what the control block last saw.
          control.abort();
          const nowNs = control.f64[P + 1 + p]!;
          const events = control.f64[2 * P + 1 + p]!;
          return {
            self: p, hosts: [], reachedNs: nowNs, events, xstateEvents: 0, windows: 0, crossMessages: 0,
            interrupted: true, trace: [], error: { name: e.name, message: `worker thread failed: ${e.message}`, stack: e.stack, partition: p, atNs: nowNs, echo: false }, startedAtMs: NaN,
          } satisfies PartitionTaskOutput;
        }),
      );
    }
    const timer = req.onProgress
      ? setInterval(() => req.onProgress!(control.progress()), req.progressIntervalMs ?? 500)
      : null;
    const done = Promise.all(tasks).then(async (outs) => {
      if (timer) clearInterval(timer);
      // Let the final metric flushes arrive before closing their ports (a crashed worker sends none).
      if (metricPorts.length) {
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([finalsDone, new Promise((r) => (grace = setTimeout(r, 2000)))]);
        clearTimeout(grace);
      }
      for (const mp of metricPorts) mp.close();
      return mergeOutputs(outs, P);
    });
    return { done, stop: () => control.requestStop() };
  }

  /** One task as given (a partition whose peers are elsewhere: see RelayTransport). */
  runTask(input: PartitionTaskInput, transferList: MessagePort[]): Promise<PartitionTaskOutput> {
    return this.pool.run(input, { transferList: transferList as never }) as Promise<PartitionTaskOutput>;
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}
