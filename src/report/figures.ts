// The paper's figures as FigureSpecs built from emulated points: bars =
// bandwidth, lines = core utilization per Gbps, paper numbers marked.
import type { FigureSpec, FigureSeries } from './figure.ts';
import { gbps, upg, domCpu, type Results, type PointResult } from './targets.ts';

/** A seed-averaged view: `get`/`all` return stand-ins whose numbers are the mean over seeds. */
function averaged(seeds: Results[]): Pick<Results, 'get' | 'all'> {
  const avg = (ps: PointResult[]): PointResult => {
    const mean = (f: (p: PointResult) => number) => ps.reduce((a, p) => a + f(p), 0) / ps.length;
    const first = ps[0]!;
    const doms = (first.result.domains ?? []).map((d: { name: string }) => ({ ...d, cpuPct: mean((p) => domCpu(p, d.name)) }));
    return { ...first, result: { ...first.result, throughputGbps: mean(gbps), coreUtilPctPerGbps: mean(upg), domains: doms } };
  };
  return {
    get: (scenario: string, ...fr: string[]) => avg(seeds.map((r) => r.get(scenario, ...fr))),
    all: (scenario: string, ...fr: string[]) => seeds[0]!.all(scenario, ...fr).map((p) => avg(seeds.map((r) => r.get(scenario, p.point)))),
  };
}

const SIZES = ['64', '256', '1024', '4096', '16384', '65536'];
const sizeLabel = (s: string) => (Number(s) >= 1024 ? `${Number(s) / 1024}KB` : `${s}B`);

function series(name: string, pts: PointResult[]): FigureSeries {
  return { name, bandwidthGbps: pts.map(gbps), utilPctPerGbps: pts.map(upg) };
}

/** The figures buildFigures draws, in order: `vioemu reproduce` writes `<id>.svg` for each (its --out is checked for them first). */
export const FIGURE_IDS = ['fig3', 'fig4', 'fig5', 'fig7', 'fig8', 'fig9', 'fig11', 'fig12', 'fig13'] as const;

export function buildFigures(seeds: Results[]): FigureSpec[] {
  const r = averaged(seeds);
  const figs: FigureSpec[] = [];
  const f3 = ['fig3-linux', 'fig3-dom0', 'fig3-domu'].map((s) => r.get(s));
  figs.push({
    id: 'fig3', about: 'One 10 GbE link, a native Linux sender with 8 iperf TCP connections. The receiver runs iperf in native Linux, in Xen’s driver domain Dom0, or in a guest (DomU), whose packets pass Dom0’s Linux bridge and netback/netfront. Bars: received bandwidth (paper: Linux 5.5, DomU 2.3 Gbps). Line: CPU time of all cores (%) per Gbps received.', title: 'Fig 3 — bandwidth and core utilization', xLabel: 'receiver', categories: ['Linux', 'Dom0', 'DomU'],
    series: [series('emulated', f3)],
    paperMarks: [
      { series: 'emulated', category: 'Linux', bandwidthGbps: 5.5, label: 'paper 5.5' },
      { series: 'emulated', category: 'DomU', bandwidthGbps: 2.3, label: 'paper 2.3' },
    ],
  });
  const f4 = SIZES.map((s) => r.get('fig4-msgsize', `messageSize=${s}`));
  figs.push({
    id: 'fig4', about: 'iperf in the DomU at message sizes 64 B–64 KB. Bars: bandwidth. Lines: the CPU % of Dom0 (driver, bridge, netback) and of the DomU (TCP, copy to the application), each per Gbps: Dom0 spends more than the guest itself.', title: 'Fig 4 — CPU per Gbps of Dom0 and DomU (iperf in DomU)', xLabel: 'message size', categories: SIZES.map(sizeLabel),
    series: [
      // The bars are the DomU's receive bandwidth, not Dom0's: a series of their own, so the legend says so.
      { name: 'bandwidth', bandwidthGbps: f4.map(gbps), utilPctPerGbps: f4.map(() => null) },
      { name: 'Dom0 CPU', bandwidthGbps: f4.map(() => null), utilPctPerGbps: f4.map((p) => domCpu(p, 'dom0') / Math.max(1e-9, gbps(p))) },
      { name: 'DomU CPU', bandwidthGbps: f4.map(() => null), utilPctPerGbps: f4.map((p) => domCpu(p, 'domu') / Math.max(1e-9, gbps(p))) },
    ],
    note: 'bars: bandwidth; lines: each domain’s CPU % per Gbps',
  });
  figs.push({
    id: 'fig5', about: 'Xen’s SEDF scheduler in place of the default credit scheduler (first bar). Under SEDF Xen 3.1 starts the guest’s VCPU on PCPU0, beside Dom0’s VCPU0 (paper: 1.1 Gbps); the third bar gives the guest a PCPU of its own.', title: 'Fig 5 — credit vs SEDF (iperf in DomU)', xLabel: 'scheduler', categories: ['credit', 'SEDF (Xen 3.1: beside Dom0 VCPU0)', 'SEDF (DomU on its own PCPU)'],
    series: [series('emulated', [r.get('fig3-domu'), r.get('fig5-sedf', 'placement=[0]'), r.get('fig5-sedf', 'placement=[7]')])],
    paperMarks: [{ series: 'emulated', category: 'SEDF (Xen 3.1: beside Dom0 VCPU0)', bandwidthGbps: 1.1, label: 'paper 1.1' }],
  });
  figs.push({
    id: 'fig7', about: 'Opt A, a cache-aware credit scheduler: a guest VCPU woken by Dom0 for I/O runs on a core sharing the L2 cache with Dom0’s VCPU, so the copy into the guest reads warm data. Default vs Opt A at each message size (paper: +13% bandwidth, −11% CPU per Gbps above 1 KB).', title: 'Fig 7 — Opt A cache-aware scheduler', xLabel: 'message size', categories: SIZES.map(sizeLabel),
    series: [false, true].map((a) => series(a ? 'Opt A' : 'Default', SIZES.map((s) => r.get('fig7-cacheaware', `cacheAware=${a}`, `messageSize=${s}`)))),
  });
  const V = [1, 2, 4, 8];
  figs.push({
    id: 'fig8', about: 'The number of Dom0 VCPUs (1–8), 64 KB messages, default and Opt A scheduler. The paper saw fewer Dom0 VCPUs give more bandwidth, and Opt A gain most (+35%) at 1 VCPU.', title: 'Fig 8 — Dom0 VCPUs (64 KB)', xLabel: 'Dom0 VCPUs', categories: V.map(String),
    series: [false, true].map((a) => series(a ? 'Opt A' : 'Default', V.map((v) => r.get('fig8-dom0vcpus', `cacheAware=${a}`, `vcpus=${v}`)))),
  });
  const f9 = (k: number, v: number) => {
    const all = r.all('fig9-creditsteal', `vcpus=${v}`);
    return [all.find((p) => !p.point.includes('cacheAware')), all.find((p) => p.point.includes('"cacheAware":true') && !p.point.includes('creditSteal')), all.find((p) => p.point.includes('creditSteal'))][k]!;
  };
  figs.push({
    id: 'fig9', about: 'Opt B, credit stealing: after each accounting, Dom0’s idle VCPUs hand half their credit to its I/O VCPUs. Default, Opt A and Opt A+B against the number of Dom0 VCPUs (paper: +18% from B over A at 8 VCPUs).', title: 'Fig 9 — Opt B credit stealing (64 KB)', xLabel: 'Dom0 VCPUs', categories: V.map(String),
    series: ['Def', 'Opt A', 'Opt A+B'].map((n, k) => series(n, V.map((v) => f9(k, v)))),
  });
  figs.push({
    id: 'fig11', about: 'Opt C, a simple bridge in Dom0 that forwards by MAC address without the Linux bridge’s netfilter hooks (1.2K instead of 11K cycles per packet). Default vs Opt C at each message size (paper: +7% bandwidth, −10% CPU per Gbps above 1 KB).', title: 'Fig 11 — Opt C simple bridge', xLabel: 'message size', categories: SIZES.map(sizeLabel),
    series: ['linux', 'simple'].map((b) => series(b === 'simple' ? 'Opt C' : 'Default', SIZES.map((s) => r.get('fig11-simplebridge', `bridge=${b}`, `messageSize=${s}`)))),
  });
  const Q = [32, 64, 128, 256, 512];
  figs.push({
    id: 'fig12', about: 'Opt D, a longer netback queue (txqueuelen) toward the guest: 32 packets (Xen’s default) to 512. The paper finds 128 best, at 3.3 Gbps.', title: 'Fig 12 — Opt D netback txqueuelen (64 KB)', xLabel: 'txqueuelen', categories: Q.map(String),
    series: [series('emulated', Q.map((q) => r.get('fig12-txqueuelen', `txqueuelen=${q}`)))],
    paperMarks: [{ series: 'emulated', category: '128', bandwidthGbps: 3.3, label: 'paper 3.3' }],
  });
  figs.push({
    id: 'fig13', about: 'All four optimizations (A+B+C+D) vs the default at each message size (paper: 4.5 Gbps at 64 KB, +96% above 1 KB).', title: 'Fig 13 — all optimizations (A+B+C+D)', xLabel: 'message size', categories: SIZES.map(sizeLabel),
    series: [false, true].map((all) => series(all ? 'A+B+C+D' : 'Default', SIZES.map((s) => r.get('fig13-combined', all ? 'optimizations=["A","B","C","D"]' : 'optimizations=[]', `messageSize=${s}`)))),
    paperMarks: [{ series: 'A+B+C+D', category: '64KB', bandwidthGbps: 4.5, label: 'paper 4.5' }],
  });
  return figs;
}
