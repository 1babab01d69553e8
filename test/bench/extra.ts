// Model benchmarks registered by later layers (scheduler, network path, soak).
import type { BenchEntry } from './run.ts';

export const EXTRA_BENCHES: ((quick: boolean) => Promise<BenchEntry[]>)[] = [];
