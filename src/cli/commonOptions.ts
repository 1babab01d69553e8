// Options shared by commands that load a scenario, turned into load overrides.
import { Option } from 'commander';
import { formatNs, parseDurationNs } from '../kernel/time.ts';
import { ScenarioError } from '../scenario/errors.ts';
import { loadScenario, type LoadOptions, type ScenarioPoint } from '../scenario/load.ts';

export const collect = (v: string, prev: string[]) => [...prev, v];

export function scenarioOptions() {
  return [
    new Option('--set <path=value>', 'override a scenario field (repeatable), e.g. --set ring.hosts=4').argParser(collect).default([]),
    new Option('--seed <n>', 'scenario seed (overrides the file)'),
    new Option('--duration <d>', 'virtual duration, e.g. 10s, 500ms; a bare number is ns (overrides the file)'),
  ];
}

// Numbers as YAML would read them (so 1e300 or -1 reach the range check as numbers), as --set seed=… and
// --set duration=… read them: --duration 1e3 is 1000 ns, --duration 1.5 a bare number that is not integer ns.
const yamlNumber = (v: string) => (/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v) ? Number(v) : v);

/**
 * A --duration without a unit is integer ns, as in a scenario file; `--duration 10` meant as seconds ran 10 ns,
 * measured nothing and exited 0 (or blamed the warm-up). Said on stderr; null when it has a unit (or is refused anyway).
 */
export function bareDurationNote(duration: string | undefined): string | null {
  if (duration === undefined) return null;
  const n = yamlNumber(duration);
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) return null;
  const d = duration.trim();
  return `vioemu: note: --duration ${d} has no unit, so it is ${n} ns of virtual time (write e.g. ${d}s or ${d}ms for seconds or milliseconds)`;
}

export function loadOptionsFrom(o: { set: string[]; seed?: string; duration?: string }, note: (line: string) => void = (l) => process.stderr.write(l + '\n')): LoadOptions {
  const overrides: Record<string, unknown> = {};
  if (o.seed !== undefined) overrides.seed = yamlNumber(o.seed);
  if (o.duration !== undefined) overrides.duration = yamlNumber(o.duration);
  const bare = bareDurationNote(o.duration);
  if (bare) note(bare);
  return { sets: o.set, overrides };
}

/**
 * The command's scenario: the file with its --set, --seed and --duration. A --duration no longer than the
 * file's warm-up (the paper and soak scenarios warm up for 0.5–1 s) keeps a third of itself as warm-up, said
 * on stderr, unless the warm-up was set too (--set warmup=…, or a sweep axis over it): a shorter run is what --duration asks for, and the alternative
 * was an error on nearly every scenario.
 */
export function loadForCommand(file: string, o: { set: string[]; seed?: string; duration?: string }, note: (line: string) => void = (l) => process.stderr.write(l + '\n')): ScenarioPoint[] {
  const opts = loadOptionsFrom(o, note);
  try {
    return loadScenario(file, opts);
  } catch (e) {
    const durationNs = o.duration === undefined ? null : parseDurationNs(yamlNumber(o.duration));
    const warmupSet = o.set.some((s) => /^\s*warmup\s*=/.test(s));
    if (!(e instanceof ScenarioError) || e.kind !== 'warmup-not-shorter' || durationNs === null || warmupSet) throw e;
    // A warm-up that differs by sweep point (a warmup axis, the file's or --set sweep.warmup=…) was set too: a
    // warmup override would drop that axis (unsweepOverridden) and run one point where the sweep had several.
    if (e.sweepPoint !== null) throw e;
    const warmupNs = Math.floor(durationNs / 3);
    note(`vioemu: note: --duration ${o.duration!.trim()} is not longer than the scenario's warm-up; warming up for ${formatNs(warmupNs)}, a third of it (--set warmup=… to choose)`);
    return loadScenario(file, { ...opts, overrides: { ...opts.overrides, warmup: warmupNs } });
  }
}
