// Run a scenario point in this thread as one partition (no worker start-up)
// and summarize it as the CLI would: for behaviour tests of models.
import type { HostInstance } from '../../src/kernel/model.ts';
import type { RunOutput } from '../../src/kernel/runner.ts';
import { Sim } from '../../src/kernel/sim.ts';
import { MODEL_MODULES } from '../../src/run/models.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { MODELS } from '../../src/scenario/registry.ts';
import type { Scenario } from '../../src/scenario/model.ts';

export interface InProcessRun {
  sc: Scenario;
  sim: Sim;
  hosts: HostInstance[];
  /** The model's result fields (as in the result JSON). */
  summary: Record<string, unknown>;
  out: RunOutput;
}

export function buildInProcess(file: string, sets: string[], opts: { perVcpuMetrics?: boolean } = {}) {
  const [pt] = loadScenario(file, { sets });
  const sc = pt!.scenario;
  const adapter = MODELS[sc.model]!;
  const cfg = { ...(adapter.workerConfig(sc) as object), seed: sc.seed, durationNs: sc.durationNs, warmupNs: sc.warmupNs };
  const model = MODEL_MODULES[sc.model]!;
  const sim = new Sim({ seed: sc.seed });
  sim.metrics.define(model.metricDefs);
  const hosts = Array.from({ length: adapter.hostCount(sc) }, (_, h) => model.buildHost(sim, cfg as never, h, { trace: false, perVcpuMetrics: opts.perVcpuMetrics ?? false }));
  return { sc, sim, hosts, cfg };
}

/** A built run that has run: the clock moved to the end, its RunOutput and the model's summary, as the CLI would make them. */
export function collectInProcess({ sc, sim, hosts }: ReturnType<typeof buildInProcess>): { out: RunOutput; summary: Record<string, unknown> } {
  sim.advanceTo(sc.durationNs);
  const out: RunOutput = {
    hosts: hosts.map((h, hostIndex) => ({ hostIndex, result: h.collect(sc.durationNs) })),
    reachedNs: sc.durationNs,
    events: sim.eventsProcessed,
    xstateEvents: hosts.reduce((a, h) => a + (h.xstateEvents?.() ?? 0), 0),
    windows: 1,
    crossMessages: 0,
    interrupted: false,
    partitions: 1,
    trace: [],
    error: null,
    simStartedAtMs: NaN,
  };
  return { out, summary: MODELS[sc.model]!.summarize(sc, out) as Record<string, unknown> };
}

export function runInProcess(file: string, sets: string[] = []): InProcessRun {
  const built = buildInProcess(file, sets);
  built.sim.runUntil(built.sc.durationNs);
  const { sc, sim, hosts } = built;
  return { sc, sim, hosts, ...collectInProcess(built) };
}
