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
  // Numbers as YAML would read them (so 1e300 or -1 reach the range check as numbers).
  if (o.seed !== undefined) overrides.seed = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(o.seed) ? Number(o.seed) : o.seed;
  if (o.duration !== undefined) overrides.duration = /^\d+$/.test(o.duration) ? Number(o.duration) : o.duration;
  return { sets: o.set, overrides };
}
