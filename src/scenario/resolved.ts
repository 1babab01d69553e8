// A scenario point as it will run, written back as a scenario file: every
// field with its default filled in, so users can see (and copy) all the
// settings a model has. Durations come out in integer nanoseconds, which the
// loader accepts; loading the output gives the same point.
import { stringify } from 'yaml';
import type { ScenarioPoint } from './load.ts';

export function resolvedYaml(p: ScenarioPoint): string {
  const { durationNs, warmupNs, name, model, seed, ...sections } = p.scenario as unknown as Record<string, unknown> & { durationNs: number; warmupNs: number };
  const doc = { name, model, seed, duration: durationNs, warmup: warmupNs, ...sections };
  const label = p.label ? `# point: ${p.label}\n` : '';
  return label + stringify(doc);
}
