// Generation barrier on a SharedArrayBuffer. The last partition to arrive
// computes the agreed global values (next event time, stop) before releasing
// the others, so every partition reads the same decision.

const COUNT = 0;
const GEN = 1;
const STOP_REQUEST = 2; // set by the main thread (Ctrl-C) or a partition
const STOP_AGREED = 3;
const ABORT = 4; // a partition failed: everyone leaves now
const CTRL_INTS = 8;

export interface SyncResult {
  gvtNs: number;
  stop: boolean;
}

export class SharedControl {
  readonly ctrl: Int32Array;
  /** [0..P) next event time per partition, [P] agreed GVT, [P+1..2P+1) progress ns, [2P+1..3P+1) events. */
  readonly f64: Float64Array;

  constructor(readonly partitions: number, readonly buffer: SharedArrayBuffer = SharedControl.allocate(partitions)) {
    this.ctrl = new Int32Array(buffer, 0, CTRL_INTS);
    this.f64 = new Float64Array(buffer, CTRL_INTS * 4, 3 * partitions + 1);
  }

  static allocate(partitions: number): SharedArrayBuffer {
    return new SharedArrayBuffer(CTRL_INTS * 4 + (3 * partitions + 1) * 8);
  }

  requestStop(): void {
    Atomics.store(this.ctrl, STOP_REQUEST, 1);
  }

  abort(): void {
    Atomics.store(this.ctrl, ABORT, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
  }

  get aborted(): boolean {
    return Atomics.load(this.ctrl, ABORT) === 1;
  }

  setProgress(partition: number, nowNs: number, events: number): void {
    this.f64[this.partitions + 1 + partition] = nowNs;
    this.f64[2 * this.partitions + 1 + partition] = events;
  }

  /** Minimum virtual time reached over partitions, and total events. */
  progress(): { nowNs: number; events: number } {
    let nowNs = Infinity;
    let events = 0;
    for (let p = 0; p < this.partitions; p++) {
      nowNs = Math.min(nowNs, this.f64[this.partitions + 1 + p]!);
      events += this.f64[2 * this.partitions + 1 + p]!;
    }
    return { nowNs: Number.isFinite(nowNs) ? nowNs : 0, events };
  }

  /** Publish this partition's next event time and wait for all; returns the agreed window decision. */
  sync(partition: number, myNextNs: number, wantStop: boolean): SyncResult {
    const { ctrl, f64, partitions: P } = this;
    f64[partition] = myNextNs;
    if (wantStop) Atomics.store(ctrl, STOP_REQUEST, 1);
    const gen = Atomics.load(ctrl, GEN);
    if (Atomics.add(ctrl, COUNT, 1) === P - 1) {
      let gvt = Infinity;
      for (let p = 0; p < P; p++) gvt = Math.min(gvt, f64[p]!);
      f64[P] = gvt;
      Atomics.store(ctrl, STOP_AGREED, Atomics.load(ctrl, STOP_REQUEST));
      Atomics.store(ctrl, COUNT, 0);
      Atomics.add(ctrl, GEN, 1);
      Atomics.notify(ctrl, GEN);
    } else {
      let spins = 0;
      while (Atomics.load(ctrl, GEN) === gen) {
        if (++spins < 20_000) continue;
        Atomics.wait(ctrl, GEN, gen, 50);
        if (this.aborted) throw new Error('aborted: another partition failed');
      }
      if (this.aborted) throw new Error('aborted: another partition failed');
    }
    return { gvtNs: f64[P]!, stop: Atomics.load(ctrl, STOP_AGREED) === 1 };
  }
}
