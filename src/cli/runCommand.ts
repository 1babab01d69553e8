// `vioemu run` / `vioemu sweep`: load (exit 2 on bad input, before anything
// runs), execute, write results — also on Ctrl-C (exit 130) or a worker crash.
import { writeFileSync } from 'node:fs';
import { parseDurationNs } from '../kernel/time.ts';
import { OpenMetricsWriter } from '../metrics/openmetrics.ts';
import { createRunMetrics, Execution, metricDefsFor } from '../run/execute.ts';
import type { RunResult } from '../run/result.ts';
import { serveMetrics, type MetricsServer } from '../metrics/server.ts';
import { loadScenario } from '../scenario/load.ts';
import { loadOptionsFrom } from './commonOptions.ts';
import { humanSummary, writeOutDir } from './output.ts';
import { Progress } from './progress.ts';
import { UsageError } from './usage.ts';

export interface RunFlags {
  set: string[];
  seed?: string;
  duration?: string;
  workers: string;
  json?: boolean;
  out?: string;
  metricsPort?: string;
  metricsLinger?: string;
  pace?: string;
  trace?: string;
  perVcpuMetrics?: boolean;
  openmetrics?: string;
  openmetricsInterval: string;
  openmetricsEpoch: string;
}

function intFlag(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: want an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function numFlag(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name}: want a number >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

export async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const workers = intFlag('workers', flags.workers, 1)!;
  const metricsPort = intFlag('metrics-port', flags.metricsPort, 0);
  const lingerS = numFlag('metrics-linger', flags.metricsLinger, 0) ?? 0;
  const pace = numFlag('pace', flags.pace, 0) ?? 0;
  const omIntervalNs = parseDurationNs(flags.openmetricsInterval);
  if (omIntervalNs === null || omIntervalNs <= 0) throw new UsageError(`--openmetrics-interval: not a duration: ${JSON.stringify(flags.openmetricsInterval)}`);
  if (omIntervalNs % 1e6 !== 0) throw new UsageError(`--openmetrics-interval: want whole milliseconds (Prometheus timestamps are ms), got ${JSON.stringify(flags.openmetricsInterval)}`);
  const omEpochS = numFlag('openmetrics-epoch', flags.openmetricsEpoch, 0)!;
  const points = loadScenario(file, loadOptionsFrom(flags));
  if (flags.openmetrics && points.length > 1) throw new UsageError('--openmetrics takes a single run, not a sweep');
  const model = points[0]!.scenario.model;

  const metrics = metricsPort !== undefined || flags.openmetrics ? await createRunMetrics(model) : undefined;
  let server: MetricsServer | null = null;
  if (metrics && metricsPort !== undefined) {
    server = await serveMetrics(metrics, metricsPort);
    process.stderr.write(`vioemu: metrics at http://127.0.0.1:${server.port}/metrics\n`);
  }
  const exec = new Execution();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nvioemu: interrupted — stopping at the next window and writing what was gathered (Ctrl-C again to abort)\n');
    exec.stop();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const progress = new Progress();
  const om = flags.openmetrics ? new OpenMetricsWriter(metricDefsFor(model), omEpochS, omIntervalNs) : null;
  let results: RunResult[] = [];
  let traces: unknown[] = [];
  try {
    const outs = await exec.run(points, {
      workers,
      trace: flags.trace !== undefined,
      perVcpuMetrics: flags.perVcpuMetrics ?? false,
      pace,
      metrics,
      onProgress: (p) => progress.update(p),
      onPointDone: (r) => progress.done(r.point),
      sampler: om ? { intervalNs: om.probeEveryNs, onSample: (p, n, t, series, events) => om.add(p, n, t, series, events) } : undefined,
    });
    results = outs.map((o) => o.result);
    traces = outs.flatMap((o) => o.trace);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (om) {
    om.write(flags.openmetrics!);
    process.stderr.write(`vioemu: wrote ${flags.openmetrics} (${om.samples} samples every ${flags.openmetricsInterval} of virtual time)\n`);
  }
  if (flags.trace !== undefined) {
    writeFileSync(flags.trace, JSON.stringify({ traceEvents: traces, displayTimeUnit: 'ns' }) + '\n');
  }
  if (flags.out) {
    for (const f of writeOutDir(flags.out, results)) process.stderr.write(`vioemu: wrote ${f}\n`);
  }
  if (flags.json) {
    process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
  } else {
    for (const r of results) process.stdout.write(humanSummary(r) + '\n');
  }
  if (server) {
    if (lingerS > 0) {
      process.stderr.write(`vioemu: serving final metrics for ${lingerS}s more\n`);
      await new Promise((r) => setTimeout(r, lingerS * 1000));
    }
    await server.close();
  }
  if (exec.wasStopped) return 130;
  const failed = results.find((r) => r.error);
  if (failed) {
    process.stderr.write(`vioemu: run failed: ${failed.error}\n`);
    return 1;
  }
  return 0;
}
