// `vioemu resume <dir|file>`: rebuild the interrupted run from its checkpoint
// (scenario, seed, options are in it), continue to the scenario's end with any
// worker count, and keep checkpointing into the same folder. A checkpoint that
// cannot be read or does not fit exits 2 naming its failing section.
import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { CheckpointError } from '../checkpoint/format.ts';
import { readCheckpoint } from '../checkpoint/store.ts';
import { formatNs } from '../kernel/time.ts';
import { Execution } from '../run/execute.ts';
import { checkOutputPath } from './outputPaths.ts';
import { outFileNames } from './output.ts';
import { durationFlag } from './flagValues.ts';
import { capWorkers, commonSetup, resumedOutputPath, runSetup, type RunFlags } from './runCommand.ts';
import { SignalStop } from './signals.ts';
import { UsageError } from './usage.ts';

export interface ResumeFlags {
  workers: string;
  partitionBy?: string;
  json?: boolean;
  out?: string;
  openmetrics?: string;
  metricsPort?: string;
  metricsHost: string;
  metricsLinger?: string;
  pace?: string;
  checkpointEvery?: string;
  ignoreHangup?: boolean;
}

export async function resumeCommand(path: string, flags: ResumeFlags): Promise<number> {
  const exec = new Execution();
  const signals = new SignalStop(() => exec.stop(), { ignoreHangup: flags.ignoreHangup });
  signals.install();
  try {
    let loaded: ReturnType<typeof readCheckpoint>;
    try {
      loaded = readCheckpoint(path);
    } catch (e) {
      if (e instanceof CheckpointError) throw new UsageError(`checkpoint ${e.message}`);
      throw e;
    }
    const { file, checkpoint } = loaded;
    const { meta } = checkpoint;
    const saved = meta.options;
    const dir = statSync(path).isDirectory() ? path : dirname(file);
    const runFlags: RunFlags = {
      set: [],
      workers: flags.workers,
      partitionBy: flags.partitionBy ?? saved.partitionBy,
      json: flags.json ?? saved.json,
      out: flags.out ?? (saved.out !== undefined ? resumedOutputPath(dir, saved.out) : undefined),
      metricsPort: flags.metricsPort,
      metricsHost: flags.metricsHost,
      metricsLinger: flags.metricsLinger,
      pace: flags.pace,
      perVcpuMetrics: saved.perVcpuMetrics,
      openmetricsInterval: '1s',
      openmetricsEpoch: '0',
      checkpointEvery: flags.checkpointEvery ?? `${saved.checkpointEveryNs}ns`,
    };
    const common = commonSetup(runFlags);
    if (flags.openmetrics !== undefined && !saved.openmetrics) {
      throw new UsageError('--openmetrics: the interrupted run did not export OpenMetrics, so its first part has no samples');
    }
    const om = saved.openmetrics ? { ...saved.openmetrics, file: flags.openmetrics ?? resumedOutputPath(dir, saved.openmetrics.file) } : null;
    const everyNs = flags.checkpointEvery !== undefined ? durationFlag('checkpoint-every', flags.checkpointEvery) : saved.checkpointEveryNs;
    if (runFlags.out !== undefined) checkOutputPath('--out', runFlags.out, 'dir', outFileNames(1));
    if (om) checkOutputPath('--openmetrics', om.file, 'file');
    checkOutputPath('checkpoint folder', dir, 'dir');
    const points = [meta.point];
    const workers = capWorkers(common.askedWorkers, points, undefined, (s) => signals.say(s + '\n'));
    const sc = meta.point.scenario;
    signals.say(`vioemu: resuming ${sc.name}${meta.point.label ? ` ${meta.point.label}` : ''} (seed ${sc.seed}) at ${formatNs(meta.instantNs)} of ${formatNs(sc.durationNs)} from ${basename(file)}\n`);
    return await runSetup(
      { ...common, points, workers, om, checkpoint: { dir, everyNs, scenarioFile: saved.scenarioFile, resumedFrom: file }, restore: checkpoint },
      runFlags,
      exec,
      signals,
    );
  } finally {
    signals.uninstall();
  }
}
