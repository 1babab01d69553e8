// A scenario point as it will run, written back as a scenario file: every
// field with its default filled in, so users can see (and copy) all the
// settings a model has. Durations come out in integer nanoseconds, which the
// loader accepts; loading the output gives the same point.
import { stringify } from 'yaml';
import type { ScenarioPoint } from './load.ts';

/** The point as a scenario file's contents (a mapping the loader validates back to the same point). */
export function resolvedRaw(p: ScenarioPoint): Record<string, unknown> {
  const { durationNs, warmupNs, name, model, seed, ...sections } = p.scenario as unknown as Record<string, unknown> & { durationNs: number; warmupNs: number };
  return { name, model, seed, duration: durationNs, warmup: warmupNs, ...sections };
}

export function resolvedYaml(p: ScenarioPoint): string {
  const label = p.label ? `# point: ${p.label}\n` : '';
  return label + stringify(resolvedRaw(p));
}
