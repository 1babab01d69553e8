// `vioemu` command line. Thin: parses flags and hands over to commands.
import { availableParallelism } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { ScenarioError } from '../scenario/errors.ts';
import { loadForCommand, scenarioOptions } from './commonOptions.ts';
import { intFlag } from './flagValues.ts';
import { runCommand, type RunFlags } from './runCommand.ts';
import { checkOutputPath } from './outputPaths.ts';
import { UsageError } from './usage.ts';
import { VIOEMU_VERSION } from '../checkpoint/version.ts';
import type { WorkerFlags } from './workerCommand.ts';
import type { ResumeFlags } from './resumeCommand.ts';
import type { CalibrateFlags, ReproduceFlags, SensitivityFlags } from './reportCommands.ts';

const IGNORE_HANGUP_HELP = 'keep running through SIGHUP and the exit of the process that started vioemu (as nohup would; by default either stops the run and writes what was gathered)';

function runOptions(cmd: Command): Command {
  for (const o of scenarioOptions()) cmd.addOption(o);
  return cmd
    .option('--workers <n>', 'worker threads (partitions for one run; parallel points for a sweep)', '1')
    .option('--partition-by <mode>', 'how one run is split over the workers: auto (only across links of 50 us or more, where it pays) or hosts (any host boundary)', 'auto')
    .option('--json', 'print the result JSON on stdout')
    .option('--out <dir>', 'write result JSON file(s) into this directory')
    .option('--metrics-port <port>', 'serve Prometheus /metrics on <host>:<port> during the run (0 = any free port)')
    .option('--metrics-host <host>', 'address the /metrics server listens on', '127.0.0.1')
    .option('--metrics-linger <seconds>', 'keep serving /metrics this long after the run ends', '0')
    .option('--pace <x>', 'tie virtual time to wall time: x virtual seconds per wall second (0 = as fast as possible)', '0')
    .option('--trace <file>', 'write a Chrome trace-event JSON timeline (Perfetto UI opens it)')
    .option('--per-vcpu-metrics', 'label scheduler metrics per VCPU (cardinality grows with VCPUs)')
    .option('--openmetrics <file>', 'write OpenMetrics samples stamped with virtual time (for promtool tsdb create-blocks-from openmetrics)')
    .option('--openmetrics-interval <duration>', 'virtual time between OpenMetrics samples', '1s')
    .option('--openmetrics-epoch <unix-seconds>', 'wall-clock time that virtual time 0 maps to', '1700000000')
    .option('--queue <url>', 'run the sweep points on `vioemu worker` processes through Redis (BullMQ), e.g. redis://127.0.0.1:6379')
    .option('--transport <url>', 'one run over NATS, a partition per process on any machine, e.g. nats://127.0.0.1:4222 (with --partition K/N)')
    .option('--partition <K/N>', 'with --transport: run partition K of N here; 0 is the coordinator (takes the scenario, writes the result), 1..N-1 take no scenario')
    .option('--transport-timeout <duration>', 'with --transport: a partition silent this long (wall time) ends the run with an error', '30s')
    .option('--checkpoint <dir>', 'write checkpoints into this folder (a single run); `vioemu resume <dir>` continues from the newest')
    .option('--checkpoint-every <duration>', 'virtual time between checkpoints', '60s')
    .option('--ignore-hangup', IGNORE_HANGUP_HELP);
}

/**
 * Flags that only tune another flag: given without it they were accepted and did nothing (--checkpoint-every 60s
 * without --checkpoint wrote no checkpoint; --transport-timeout soon was not even read). Defaults are not given.
 */
const TUNES: [key: string, needs: string][] = [
  ['checkpointEvery', 'checkpoint'],
  ['openmetricsInterval', 'openmetrics'],
  ['openmetricsEpoch', 'openmetrics'],
  ['metricsHost', 'metricsPort'],
  ['metricsLinger', 'metricsPort'],
  ['transportTimeout', 'transport'],
];
function checkTuningFlags(cmd: Command): void {
  const known = new Map(cmd.options.map((o) => [o.attributeName(), o]));
  for (const [key, needs] of TUNES) {
    const tuner = known.get(key);
    const tuned = known.get(needs);
    // A command without the flag it tunes uses it on its own terms (resume --checkpoint-every: the run's checkpoint folder).
    if (!tuner || !tuned || cmd.getOptionValueSource(key) !== 'cli' || cmd.getOptionValue(needs) !== undefined) continue;
    throw new UsageError(`${tuner.long}: only with ${tuned.long}, which this command was not given (alone it would change nothing)`);
  }
}

const program = new Command();
program
  .name('vioemu')
  .description('Deterministic emulator of virtualized network I/O on multi-core hosts (Xen 3.1 credit/SEDF, netback/netfront, TCP).')
  .version(VIOEMU_VERSION, '-V, --version', 'print the version (the one checkpoints are tagged with) and exit')
  .exitOverride()
  // A stray word is a mistake (a second scenario, a misspelt flag value), not something to ignore.
  .allowExcessArguments(false)
  .showHelpAfterError('(vioemu <command> --help lists the flags)');

runOptions(program.command('run [scenario]').description('run a scenario (all its sweep points); with --transport, one partition of a run spread over processes')).action(
  async (file: string | undefined, flags: RunFlags, cmd: Command) => {
    checkTuningFlags(cmd);
    process.exitCode = await runCommand(file, flags);
  },
);

runOptions(program.command('sweep <scenario>').description('run every sweep point of a scenario, --workers N at a time (same as run)')).action(
  async (file: string, flags: RunFlags, cmd: Command) => {
    checkTuningFlags(cmd);
    process.exitCode = await runCommand(file, flags);
  },
);

program
  .command('resume <checkpoint>')
  .description('continue a run from its newest checkpoint in <checkpoint> (a folder) or from one checkpoint file; same result as an uninterrupted run')
  .option('--workers <n>', 'worker threads (any number: hosts are placed anew)', '1')
  .option('--partition-by <mode>', 'auto or hosts (default: as the interrupted run)')
  .option('--json', 'print the result JSON on stdout (default: as the interrupted run)')
  .option('--out <dir>', 'write the result JSON into this folder (default: the interrupted run\'s --out)')
  .option('--openmetrics <file>', "where to write the OpenMetrics export (default: the interrupted run's file; only if it exported)")
  .option('--metrics-port <port>', 'serve Prometheus /metrics on <host>:<port> during the run (0 = any free port)')
  .option('--metrics-host <host>', 'address the /metrics server listens on', '127.0.0.1')
  .option('--metrics-linger <seconds>', 'keep serving /metrics this long after the run ends', '0')
  .option('--pace <x>', 'virtual seconds per wall second (0 = as fast as possible)', '0')
  .option('--checkpoint-every <duration>', 'virtual time between further checkpoints (default: as the interrupted run)')
  .option('--ignore-hangup', IGNORE_HANGUP_HELP)
  .action(async (path: string, flags: ResumeFlags, cmd: Command) => {
    checkTuningFlags(cmd);
    const { resumeCommand } = await import('./resumeCommand.ts');
    process.exitCode = await resumeCommand(path, flags);
  });

program
  .command('worker')
  .description('run sweep points queued by `vioemu sweep --queue` (any run), until SIGINT/SIGTERM')
  .requiredOption('--queue <url>', 'the Redis the sweeps queue on, e.g. redis://127.0.0.1:6379')
  .option('--workers <n>', 'points run at the same time (default: the number of cores)')
  .action(async (flags: WorkerFlags) => {
    const { workerCommand } = await import('./workerCommand.ts');
    process.exitCode = await workerCommand(flags);
  });

const validate = program.command('validate <scenario>').description('check a scenario (schema, values) without running it');
for (const o of scenarioOptions()) validate.addOption(o);
validate.option('--print', 'print each point as it will run: every field, defaults filled in (YAML; durations in integer ns); each document a valid scenario file (a sweep: one per point, separated by ---)');
validate.action(async (file: string, flags: { set: string[]; seed?: string; duration?: string; print?: boolean }) => {
  const points = loadForCommand(file, flags);
  if (flags.print) {
    const { resolvedYaml } = await import('../scenario/resolved.ts');
    // One YAML document per point: each is a scenario file for that point (a loader reads one document).
    process.stdout.write(points.map((p) => resolvedYaml(p)).join('---\n'));
    return;
  }
  process.stdout.write(`${file}: ok (${points.length} point${points.length > 1 ? 's' : ''}, model ${points[0]!.scenario.model})\n`);
});

program
  .command('bench')
  .description('benchmarks: kernel events/s, XState events/s, cross-partition messages/s, windows/s, real-time factors')
  .addOption(new Option('--quick', 'short runs (smoke test)'))
  .option('--soak', 'also run the soak benchmark (1 h of virtual time; 5 min with --quick): peak RSS and real-time factor')
  .option('--scale', 'instead: fleets at scale — dc-1024 for 10 virtual s (wall time, real-time factor, peak RSS, memory per DomU) and rack-16x16 on 1 and 2 workers (speedup, parallel capacity, efficiency); writes bench/scale.json')
  .option('--nats', 'instead: the windowed protocol over NATS on localhost (a nats-server it starts) vs the in-process barrier — windows/s and wall µs per window for the same runs; writes bench/nats.json')
  .option('--out <file>', 'where to write the JSON', 'bench/results.json')
  .action(async (flags: { quick?: boolean; out: string; soak?: boolean; scale?: boolean; nats?: boolean }) => {
    const own = flags.nats ? 'bench/nats.json' : flags.scale ? 'bench/scale.json' : 'bench/results.json';
    const outFile = flags.out === 'bench/results.json' ? own : flags.out;
    // Checked before minutes of benchmarks, like every other command's output paths.
    checkOutputPath('--out', outFile, 'file');
    if (flags.nats) {
      const { runNatsBench } = await import('../../test/bench/natsBench.ts');
      await runNatsBench({ quick: flags.quick ?? false, outFile });
      return;
    }
    if (flags.scale) {
      const { runScaleBench } = await import('../../test/bench/scaleBench.ts');
      await runScaleBench({ quick: flags.quick ?? false, outFile });
      return;
    }
    const { runBenchmarks } = await import('../../test/bench/run.ts');
    await runBenchmarks({ quick: flags.quick ?? false, outFile: flags.out, soak: flags.soak ?? false });
  });

program
  .command('reproduce')
  .description('run every paper scenario and print paper vs emulated for T1–T14; writes results, SVG figures and index.html')
  .option('--json', 'print {"summary", "quick", "interrupted", "rows": [...]} on stdout')
  .option('--out <dir>', 'output directory', 'out/reproduce')
  .option('--quick', 'short runs, one seed (a smoke test: its pass counts are not the reproduction\'s)')
  .option('--workers <n>', 'parallel runs (at most the number of cores)', String(availableParallelism()))
  .option('--queue <url>', 'run the points on `vioemu worker` processes through Redis (BullMQ), e.g. redis://127.0.0.1:6379')
  .action(async (flags: ReproduceFlags) => {
    const { reproduceCommand } = await import('./reportCommands.ts');
    process.exitCode = await reproduceCommand(flags);
  });

program
  .command('calibrate')
  .description('fit the two free constants: the stressor to T1 (native Linux 5.5 Gbps), the Table 1 scale to T2 (DomU 2.3 Gbps) or, when T2 does not pin it, to Dom0 at 105%; prints and saves the curve (<out>-curve.json beside it); writes scenarios/calibration.yaml')
  .option('--out <file>', 'where to write (default: the repository\'s scenarios/calibration.yaml, which the paper scenarios include)')
  .option('--quick', 'shorter runs (a smoke test: the file says so; needs --out, so scenarios/calibration.yaml stays)')
  .option('--workers <n>', 'parallel runs', String(availableParallelism()))
  .action(async (flags: CalibrateFlags) => {
    const { calibrateCommand } = await import('./reportCommands.ts');
    process.exitCode = await calibrateCommand(flags);
  });

program
  .command('sensitivity')
  .description('what each assumed constant does to DomU bandwidth and to Opt A/C/D gains (low / default / high); writes docs/sensitivity.md')
  .option('--out <file>', 'where to write the table (default: the repository\'s docs/sensitivity.md)')
  .option('--seeds <list>', 'comma-separated seeds', '1,2,3')
  .option('--duration <d>', 'shorter runs than the scenario’s (e.g. 2s; a third of it, at most 500 ms, is warm-up)')
  .option('--workers <n>', 'parallel runs', String(availableParallelism()))
  .action(async (flags: SensitivityFlags) => {
    const { sensitivityCommand } = await import('./reportCommands.ts');
    process.exitCode = await sensitivityCommand(flags);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // --help and `help <command>` exit 0; help shown for a mistake (no command at all: exitCode 1) is bad input.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || (e.code === 'commander.help' && e.exitCode === 0)) process.exitCode = 0;
    else process.exitCode = 2;
  } else if (e instanceof ScenarioError || e instanceof UsageError) {
    process.stderr.write(`vioemu: ${e instanceof ScenarioError ? 'scenario error: ' : ''}${e.message}\n`);
    // Nothing ran; a client that failed to connect may still hold a socket (nats.js does) and keep the
    // process alive, so leave now (stderr to a pipe or file is written synchronously on Linux).
    process.exit(2);
  } else {
    process.stderr.write(`vioemu: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
}
