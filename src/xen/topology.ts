// Host topology: sockets → L2 groups → cores (the paper's SUT: 2 sockets ×
// 2 shared 4 MB L2 × 2 cores, Xeon 5300 "Clovertown"). PCPU numbering follows
// Linux/Xen on that box: socket-major, then L2 group, then core.

export type Distance = 'same_core' | 'same_l2' | 'same_socket' | 'cross_socket';

export interface TopologyConfig {
  sockets: number;
  l2PerSocket: number;
  coresPerL2: number;
  clockGHz: number;
}

export interface PcpuPlace {
  pcpu: number;
  socket: number;
  /** Global L2 group index. */
  l2: number;
}

export class Topology {
  readonly places: PcpuPlace[];
  readonly clockGHz: number;

  constructor(readonly cfg: TopologyConfig) {
    this.clockGHz = cfg.clockGHz;
    this.places = [];
    for (let s = 0; s < cfg.sockets; s++) {
      for (let l = 0; l < cfg.l2PerSocket; l++) {
        for (let c = 0; c < cfg.coresPerL2; c++) {
          this.places.push({ pcpu: this.places.length, socket: s, l2: s * cfg.l2PerSocket + l });
        }
      }
    }
  }

  get pcpuCount(): number {
    return this.places.length;
  }

  distance(a: number, b: number): Distance {
    if (a === b) return 'same_core';
    const pa = this.places[a]!;
    const pb = this.places[b]!;
    if (pa.l2 === pb.l2) return 'same_l2';
    if (pa.socket === pb.socket) return 'same_socket';
    return 'cross_socket';
  }

  socketOf(p: number): number {
    return this.places[p]!.socket;
  }

  l2Of(p: number): number {
    return this.places[p]!.l2;
  }

  /** PCPUs sharing p's L2 cache, p excluded. */
  l2Peers(p: number): number[] {
    const l2 = this.l2Of(p);
    return this.places.filter((x) => x.l2 === l2 && x.pcpu !== p).map((x) => x.pcpu);
  }

  /** Cycles → integer ns at this host's clock (rounded up: work never finishes early). */
  cyclesToNs(cycles: number): number {
    return Math.ceil(cycles / this.clockGHz);
  }

  nsToCycles(ns: number): number {
    return ns * this.clockGHz;
  }
}

export const PAPER_SUT: TopologyConfig = { sockets: 2, l2PerSocket: 2, coresPerL2: 2, clockGHz: 2.33 };
