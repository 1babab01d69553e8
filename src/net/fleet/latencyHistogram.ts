// Request latencies as a log-linear histogram (16 buckets per power of two,
// ≤ 6.25% relative error), mergeable across hosts and partitions in any order.

const SUB = 16;
const BUCKETS = 64 * SUB;

export function bucketOf(ns: number): number {
  if (ns < 1) return 0;
  const e = Math.floor(Math.log2(ns));
  const sub = Math.min(SUB - 1, Math.floor((ns / 2 ** e - 1) * SUB));
  return Math.min(BUCKETS - 1, e * SUB + sub);
}

/** Upper edge of a bucket (what a percentile reports). */
export function bucketUpperNs(i: number): number {
  const e = Math.floor(i / SUB);
  return 2 ** e * (1 + ((i % SUB) + 1) / SUB);
}

export class LatencyHistogram {
  counts = new Float64Array(BUCKETS);
  /** Counts as of the last metrics sample (what the metric sink already has). */
  sampledCounts = new Float64Array(BUCKETS);
  total = 0;
  sumNs = 0;

  markSampled(): void {
    this.sampledCounts.set(this.counts);
  }

  add(ns: number): void {
    this.counts[bucketOf(ns)]! += 1;
    this.total++;
    this.sumNs += ns;
  }

  reset(): void {
    this.counts.fill(0);
    this.sampledCounts.fill(0);
    this.total = 0;
    this.sumNs = 0;
  }

  /** Non-empty buckets as [index, count] pairs (compact for results). */
  sparse(): number[] {
    const out: number[] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) out.push(i, this.counts[i]!);
    return out;
  }
}

/** Percentiles (0..1) of merged sparse histograms, in ns (bucket upper edges); null when empty. */
export function percentilesNs(sparse: readonly (readonly number[])[], qs: readonly number[]): (number | null)[] {
  const counts = new Float64Array(BUCKETS);
  let total = 0;
  for (const s of sparse) {
    for (let i = 0; i + 1 < s.length; i += 2) {
      counts[s[i]!]! += s[i + 1]!;
      total += s[i + 1]!;
    }
  }
  return qs.map((q) => {
    if (total === 0) return null;
    const want = Math.max(1, Math.ceil(q * total));
    let acc = 0;
    for (let i = 0; i < BUCKETS; i++) {
      acc += counts[i]!;
      if (acc >= want) return bucketUpperNs(i);
    }
    return bucketUpperNs(BUCKETS - 1);
  });
}
