// Linux bridge forwarding database (net/bridge/br_fdb.c): 256 jhash buckets,
// learning of source MACs per port, ageing after 300 s. Forwarding a packet
// is a lookup of its destination; unknown destinations flood.
import { brMacHash } from './jhash.ts';

export interface FdbEntry {
  macHi: number;
  macLo: number;
  port: number;
  updatedNs: number;
}

export class ForwardingDb {
  private readonly buckets: FdbEntry[][];
  lookups = 0;
  learned = 0;
  aged = 0;

  constructor(
    readonly bucketCount: number,
    readonly ageingNs: number,
    private readonly salt: number,
  ) {
    this.buckets = Array.from({ length: bucketCount }, () => []);
  }

  private bucket(macHi: number, macLo: number): FdbEntry[] {
    return this.buckets[brMacHash(macHi, macLo, this.salt, this.bucketCount)]!;
  }

  /** br_fdb_update: learn or refresh; returns true if the MAC was new (a control decision). */
  learn(macHi: number, macLo: number, port: number, nowNs: number): boolean {
    const b = this.bucket(macHi, macLo);
    const e = b.find((x) => x.macHi === macHi && x.macLo === macLo);
    if (e) {
      e.port = port;
      e.updatedNs = nowNs;
      return false;
    }
    b.push({ macHi, macLo, port, updatedNs: nowNs });
    this.learned++;
    return true;
  }

  /** __br_fdb_get: the port for a destination, or null (flood). */
  lookup(macHi: number, macLo: number, nowNs: number): number | null {
    this.lookups++;
    const e = this.bucket(macHi, macLo).find((x) => x.macHi === macHi && x.macLo === macLo);
    // has_expired: time_before_eq(ageing_timer + hold_time, jiffies) — an entry is gone at exactly its ageing time.
    if (!e || nowNs - e.updatedNs >= this.ageingNs) return null;
    return e.port;
  }

  /** br_fdb_cleanup: drop entries not refreshed within the ageing time. */
  age(nowNs: number): number {
    let n = 0;
    for (const b of this.buckets) {
      for (let i = b.length - 1; i >= 0; i--) {
        if (nowNs - b[i]!.updatedNs >= this.ageingNs) {
          b.splice(i, 1);
          n++;
        }
      }
    }
    this.aged += n;
    return n;
  }

  get size(): number {
    return this.buckets.reduce((s, b) => s + b.length, 0);
  }
}
