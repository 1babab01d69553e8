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

export function buildFigures(seeds: Results[]): FigureSpec[] {
  const r = averaged(seeds);
  const figs: FigureSpec[] = [];
  const f3 = ['fig3-linux', 'fig3-dom0', 'fig3-domu'].map((s) => r.get(s));
  figs.push({
    id: 'fig3', title: 'Fig 3 — bandwidth and core utilization', xLabel: 'receiver', categories: ['Linux', 'Dom0', 'DomU'],
    series: [series('emulated', f3)],
    paperMarks: [
      { series: 'emulated', category: 'Linux', bandwidthGbps: 5.5, label: 'paper 5.5' },
      { series: 'emulated', category: 'DomU', bandwidthGbps: 2.3, label: 'paper 2.3' },
    ],
  });
  const f4 = SIZES.map((s) => r.get('fig4-msgsize', `messageSize=${s}`));
  figs.push({
    id: 'fig4', title: 'Fig 4 — CPU per Gbps of Dom0 and DomU (iperf in DomU)', xLabel: 'message size', categories: SIZES.map(sizeLabel),
    series: [
      { name: 'Dom0', bandwidthGbps: f4.map(gbps), utilPctPerGbps: f4.map((p) => domCpu(p, 'dom0') / Math.max(1e-9, gbps(p))) },
      { name: 'DomU', bandwidthGbps: f4.map(() => null), utilPctPerGbps: f4.map((p) => domCpu(p, 'domu') / Math.max(1e-9, gbps(p))) },
    ],
    note: 'bars: bandwidth; lines: each domain’s CPU % per Gbps',
  });
  figs.push({
    id: 'fig5', title: 'Fig 5 — credit vs SEDF (iperf in DomU)', xLabel: 'scheduler', categories: ['credit', 'SEDF (Xen 3.1: beside Dom0 VCPU0)', 'SEDF (DomU on its own PCPU)'],
    series: [series('emulated', [r.get('fig3-domu'), r.get('fig5-sedf', 'placement=[0]'), r.get('fig5-sedf', 'placement=[7]')])],
    paperMarks: [{ series: 'emulated', category: 'SEDF (Xen 3.1: beside Dom0 VCPU0)', bandwidthGbps: 1.1, label: 'paper 1.1' }],
  });
  figs.push({
    id: 'fig7', title: 'Fig 7 — Opt A cache-aware scheduler', xLabel: 'message size', categories: SIZES.map(sizeLabel),
    series: [false, true].map((a) => series(a ? 'Opt A' : 'Default', SIZES.map((s) => r.get('fig7-cacheaware', `cacheAware=${a}`, `messageSize=${s}`)))),
  });
  const V = [1, 2, 4, 8];
  figs.push({
    id: 'fig8', title: 'Fig 8 — Dom0 VCPUs (64 KB)', xLabel: 'Dom0 VCPUs', categories: V.map(String),
    series: [false, true].map((a) => series(a ? 'Opt A' : 'Default', V.map((v) => r.get('fig8-dom0vcpus', `cacheAware=${a}`, `vcpus=${v}`)))),
  });
  const f9 = (k: number, v: number) => {
    const all = r.all('fig9-creditsteal', `vcpus=${v}`);
    return [all.find((p) => !p.point.includes('cacheAware')), all.find((p) => p.point.includes('"cacheAware":true') && !p.point.includes('creditSteal')), all.find((p) => p.point.includes('creditSteal'))][k]!;
  };
  figs.push({
    id: 'fig9', title: 'Fig 9 — Opt B credit stealing (64 KB)', xLabel: 'Dom0 VCPUs', categories: V.map(String),
    series: ['Def', 'Opt A', 'Opt A+B'].map((n, k) => series(n, V.map((v) => f9(k, v)))),
  });
  figs.push({
    id: 'fig11', title: 'Fig 11 — Opt C simple bridge', xLabel: 'message size', categories: SIZES.map(sizeLabel),
    series: ['linux', 'simple'].map((b) => series(b === 'simple' ? 'Opt C' : 'Default', SIZES.map((s) => r.get('fig11-simplebridge', `bridge=${b}`, `messageSize=${s}`)))),
  });
  const Q = [32, 64, 128, 256, 512];
  figs.push({
    id: 'fig12', title: 'Fig 12 — Opt D netback txqueuelen (64 KB)', xLabel: 'txqueuelen', categories: Q.map(String),
    series: [series('emulated', Q.map((q) => r.get('fig12-txqueuelen', `txqueuelen=${q}`)))],
    paperMarks: [{ series: 'emulated', category: '128', bandwidthGbps: 3.3, label: 'paper 3.3' }],
  });
  figs.push({
    id: 'fig13', title: 'Fig 13 — all optimizations (A+B+C+D)', xLabel: 'message size', categories: SIZES.map(sizeLabel),
    series: [false, true].map((all) => series(all ? 'A+B+C+D' : 'Default', SIZES.map((s) => r.get('fig13-combined', all ? 'optimizations=["A","B","C","D"]' : 'optimizations=[]', `messageSize=${s}`)))),
    paperMarks: [{ series: 'A+B+C+D', category: '64KB', bandwidthGbps: 4.5, label: 'paper 4.5' }],
  });
  return figs;
}
