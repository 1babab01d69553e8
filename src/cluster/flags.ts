// What `vioemu run … --transport … --partition K/N` may be given, checked before
// connecting: exit 2 (UsageError, ScenarioError) naming the flag or field. The
// coordinator (K = 0) also loads its scenario and plans the split here.
import { loadForCommand } from '../cli/commonOptions.ts';
import { outFileNames } from '../cli/output.ts';
import { checkOutputPath } from '../cli/outputPaths.ts';
import { durationFlag } from '../cli/flagValues.ts';
import type { RunFlags } from '../cli/runCommand.ts';
import { UsageError } from '../cli/usage.ts';
import { planPartitions } from '../run/partitioning.ts';
import { parsePartition, parseTransportUrl } from './url.ts';

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Everything checked before connecting; exit 2 (UsageError, ScenarioError) naming the flag or field. */
export function checkClusterFlags(file: string | undefined, flags: RunFlags) {
  if (flags.transport === undefined) throw new UsageError('--partition: needs --transport nats://HOST:PORT (on one machine, --workers N splits a run)');
  if (flags.partition === undefined) throw new UsageError('--transport: needs --partition K/N (which partition of how many this process runs; 0 is the coordinator)');
  const target = parseTransportUrl(flags.transport);
  const { k, n } = parsePartition(flags.partition);
  const local = (['checkpoint', 'trace', 'metricsPort', 'openmetrics', 'perVcpuMetrics', 'queue'] as const).find((f) => flags[f] !== undefined);
  if (local) throw new UsageError(`--${kebab(local)}: not available with --transport (the run's partitions are in other processes)`);
  if (flags.workers !== '1') throw new UsageError(`--workers: not with --transport (one partition per process: --partition ${k}/${n})`);
  const silenceNs = durationFlag('transport-timeout', flags.transportTimeout ?? '30s');
  if (silenceNs < 2e9) throw new UsageError(`--transport-timeout: want at least 2s (peers send a heartbeat every second), got ${JSON.stringify(flags.transportTimeout)}`);
  const pace = flags.pace === undefined ? 0 : Number(flags.pace);
  if (!Number.isFinite(pace) || pace < 0 || flags.pace?.trim() === '') throw new UsageError(`--pace: want a number >= 0, got ${JSON.stringify(flags.pace)}`);
  if (k > 0) {
    if (file !== undefined) throw new UsageError(`--partition ${k}/${n}: only partition 0 (the coordinator) takes the scenario; this one gets it from the coordinator (vioemu run --transport ${target.shown} --partition ${k}/${n})`);
    const coordinatorOnly = (['seed', 'duration', 'json', 'out'] as const).find((f) => flags[f] !== undefined) ?? (flags.set.length ? 'set' : undefined);
    if (coordinatorOnly) throw new UsageError(`--${coordinatorOnly}: only partition 0 (the coordinator) takes it; --partition ${k}/${n} gets the scenario and writes nothing`);
    if (pace > 0) throw new UsageError('--pace: give it to partition 0 (the coordinator); it applies to every partition');
    return { target, k, n, silenceMs: silenceNs / 1e6, coordinator: null };
  }
  if (file === undefined) throw new UsageError(`--partition 0/${n}: partition 0 is the coordinator and needs the scenario (vioemu run SCENARIO --transport ${target.shown} --partition 0/${n})`);
  const points = loadForCommand(file, flags);
  if (points.length > 1) throw new UsageError(`--transport: splits one run, and ${file} is a sweep of ${points.length} points (spread a sweep with --queue)`);
  const point = points[0]!;
  const sc = point.scenario;
  const partitionBy = flags.partitionBy ?? 'auto';
  if (partitionBy !== 'auto' && partitionBy !== 'hosts') throw new UsageError(`--partition-by: want auto or hosts, got ${JSON.stringify(partitionBy)}`);
  const plan = planPartitions(sc, n, partitionBy);
  if (plan.partitions !== n) {
    throw new UsageError(`--partition 0/${n}: this run splits into ${plan.partitions} partition${plan.partitions === 1 ? '' : 's'}, not ${n} (${plan.reason}${partitionBy === 'auto' && n > 1 ? '; --partition-by hosts splits at any host boundary' : ''}); use --partition 0/${plan.partitions}`);
  }
  if (n > 1 && !(plan.lookaheadNs > 0)) throw new UsageError(`--partition 0/${n}: cross-host latency is 0, partitions cannot run ahead of each other; set sync.minLookaheadNs`);
  if (flags.out !== undefined) checkOutputPath('--out', flags.out, 'dir', outFileNames(1));
  return { target, k, n, silenceMs: silenceNs / 1e6, coordinator: { point, plan, pace } };
}
