// Options shared by commands that load a scenario, turned into load overrides.
import { Option } from 'commander';
import type { LoadOptions } from '../scenario/load.ts';

export const collect = (v: string, prev: string[]) => [...prev, v];

export function scenarioOptions() {
  return [
    new Option('--set <path=value>', 'override a scenario field (repeatable), e.g. --set ring.hosts=4').argParser(collect).default([]),
    new Option('--seed <n>', 'scenario seed (overrides the file)'),
    new Option('--duration <d>', 'virtual duration, e.g. 10s, 500ms (overrides the file)'),
  ];
}

export function loadOptionsFrom(o: { set: string[]; seed?: string; duration?: string }): LoadOptions {
  const overrides: Record<string, unknown> = {};
  // Numbers as YAML would read them (so 1e300 or -1 reach the range check as numbers), as --set seed=… and
  // --set duration=… read them: --duration 1e3 is 1000 ns, --duration 1.5 a bare number that is not integer ns.
  const yamlNumber = (v: string) => (/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v) ? Number(v) : v);
  if (o.seed !== undefined) overrides.seed = yamlNumber(o.seed);
  if (o.duration !== undefined) overrides.duration = yamlNumber(o.duration);
  return { sets: o.set, overrides };
}
