// What the scenario layer knows of a model: its YAML section, where workers
// load it from, how many hosts it places, its lookahead, and how it turns
// per-host results into result-JSON fields.
import type { z } from 'zod';
import type { RunOutput } from '../kernel/runner.ts';

/** Whether a field path (e.g. "net.dom0.irqBinding") was written for this run, rather than inherited from an include. */
export type WrittenFields = (fieldPath: string) => boolean;
export const ALL_WRITTEN: WrittenFields = () => true;
export const NONE_WRITTEN: WrittenFields = () => false;

export interface Scenario {
  name: string;
  model: string;
  seed: number;
  durationNs: number;
  warmupNs: number;
  sync: { minLookaheadNs: number };
  /** The model's own section, under its name. */
  [section: string]: unknown;
}

export interface ModelAdapter {
  name: string;
  section: z.ZodTypeAny;
  hostCount(sc: Scenario): number;
  /** Minimum latency of any message between hosts (ns). */
  lookaheadNs(sc: Scenario): number;
  /** Host-to-host links [a, b, latencyNs]: the lookahead then counts only links that cross partitions. */
  links?(sc: Scenario): [number, number, number][];
  /**
   * The model's own placement of hosts on `partitions` partitions (host → partition, and why), when
   * it knows better than the generic split (fleets: whole racks, balanced by DomUs); null: generic.
   */
  placement?(sc: Scenario, partitions: number): { hostPartition: number[]; reason: string } | null;
  /**
   * With `--partition-by auto`: why a split of its own placement whose cut
   * links give `lookaheadNs` would not pay (too little work per window), or
   * null when it does.
   */
  splitWontPay?(sc: Scenario, lookaheadNs: number): string | null;
  /** Virtual time between the model's pushes to its metric series, and the field that sets it (if any). */
  metricPeriod?(sc: Scenario): { ns: number; field: string | null };
  /**
   * Cross-field checks after the schema (throw ScenarioError). `written`: whether the scenario's own file,
   * --set or a sweep wrote a field (not an include): a setting a run cannot use is refused only when written.
   */
  check?(sc: Scenario, file: string, written: WrittenFields): void;
  /** Its hosts keep all state in objects reachable from persist() (checkpoint and resume work). */
  checkpointable?: boolean;
  /** The plain config handed to workers (structured-cloneable). */
  workerConfig(sc: Scenario): unknown;
  summarize(sc: Scenario, out: RunOutput): Record<string, unknown>;
}
