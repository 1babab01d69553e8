// The reproduction table judged on crafted results: a set that states the
// paper's claims passes every row, and breaking one claim fails its row (and
// missing data fails, never reads as 0).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAPER_SCENARIOS } from '../../src/report/reproduce.ts';
import { computeRows, Results, summarize, type PointResult } from '../../src/report/targets.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { REPO } from '../helpers/cli.ts';

const S = 0.4; // a Table 1 scale
type Pt = { gbps: number; dom0: number; domu: number; upg?: number; drops?: number; retx?: number; fe?: number; linuxUtil?: number; simple?: number };

/** What the paper says, point by point (bandwidth, Dom0 and DomU CPU; upg derived unless given). */
function ideal(scenario: string, label: string): Pt {
  const has = (f: string) => `${label},`.includes(`${f},`) || (f.includes('"') && label.includes(f));
  const size = Number(/messageSize=(\d+)/.exec(label)?.[1] ?? 65536);
  const big = size > 1024;
  switch (scenario) {
    case 'fig3-linux':
      return { gbps: 5.5, dom0: 0, domu: 0, linuxUtil: 80 };
    case 'fig3-dom0':
      return { gbps: 5.3, dom0: 150, domu: 0 };
    case 'fig3-domu':
      return { gbps: 2.3, dom0: 105, domu: 55 };
    case 'fig4-msgsize': {
      const i = [64, 256, 1024, 4096, 16384, 65536].indexOf(size);
      return { gbps: 2.3, dom0: 105, domu: 30 + 5 * i };
    }
    case 'fig5-sedf':
      return { gbps: has('net.domu.placement=[0]') ? 1.1 : 0.9, dom0: 60, domu: 30 };
    case 'fig7-cacheaware':
      if (!has('net.scheduler.cacheAware=true')) return { gbps: 2.3, dom0: 105, domu: 55, upg: 70 };
      return big ? { gbps: 2.6, dom0: 105, domu: 55, upg: 62.3 } : { gbps: 2.4, dom0: 105, domu: 55, upg: 65 };
    case 'fig8-dom0vcpus': {
      const v = Number(/vcpus=(\d+)/.exec(label)![1]);
      const i = [1, 2, 4, 8].indexOf(v);
      const def = [2.6, 2.5, 2.4, 2.3][i]!;
      if (!has('net.scheduler.cacheAware=true')) return { gbps: def, dom0: 105, domu: 55, upg: 70 };
      return { gbps: def * [1.35, 1.28, 1.21, 1.09][i]!, dom0: 105, domu: 55, upg: i === 0 ? 55.3 : 65 };
    }
    case 'fig9-creditsteal': {
      const ab = label.includes('creditSteal');
      const a = label.includes('"cacheAware":true');
      return ab ? { gbps: 3.013, dom0: 105, domu: 55, upg: 61.75 } : a ? { gbps: 2.553, dom0: 105, domu: 55, upg: 65 } : { gbps: 2.3, dom0: 105, domu: 55, upg: 72.6 };
    }
    case 'fig11-simplebridge':
      if (!has('net.bridge=simple')) return { gbps: 2.3, dom0: 105, domu: 55, upg: 70 };
      return big ? { gbps: 2.461, dom0: 100, domu: 55, upg: 63, simple: 1 } : { gbps: 2.35, dom0: 100, domu: 55, upg: 60.9, simple: 1 };
    case 'fig12-txqueuelen': {
      const q = Number(/txqueuelen=(\d+)/.exec(label)![1]);
      const g = { 32: 2.3, 64: 2.9, 128: 3.3, 256: 3.25, 512: 3.2 }[q]!;
      return { gbps: g, dom0: 105, domu: 55, upg: q === 32 ? 70 : 66.5, drops: q === 32 ? 1000 : 10, retx: q === 32 ? 900 : 10, fe: 0 };
    }
    case 'fig13-combined': {
      const all = label.includes('"A"');
      if (!all) return { gbps: 2.3, dom0: 105, domu: 55, upg: 70 };
      return big ? { gbps: 4.5, dom0: 84, domu: 60, upg: 44.8 } : { gbps: 2.415, dom0: 84, domu: 60, upg: 56 };
    }
  }
  throw new Error(`no ideal for ${scenario}`);
}

function result(p: Pt, sut: string): PointResult['result'] {
  const util = p.linuxUtil ?? p.dom0 + p.domu;
  const domains = sut === 'linux' ? [{ name: 'linux', cpuPct: util }] : [{ name: 'dom0', cpuPct: p.dom0 }, { name: 'domu', cpuPct: p.domu }];
  const components = [
    { name: p.simple ? 'simple_bridge' : 'bridge', cyclesPerPacket: (p.simple ? 1200 : 11000) * S },
    { name: 'io_channel', cyclesPerPacket: 8500 * S },
  ];
  return {
    throughputGbps: p.gbps, coreUtilPct: util, coreUtilPctPerGbps: p.upg ?? util / p.gbps, domains, components,
    table1Scale: S, bridgeProfile: { switchingCycles: 600 * S, jhashCycles: 120 * S, netfilterCycles: 10280 * S },
    drops: { netbackQueue: p.drops ?? 0, frontendRing: p.fe ?? 0, nicRing: 0 }, retransmits: p.retx ?? 0,
  } as unknown as PointResult['result'];
}

function craft(mutate: (scenario: string, label: string, p: Pt) => void = () => {}): Results[] {
  const points: PointResult[] = [];
  for (const scenario of PAPER_SCENARIOS) {
    for (const pt of loadScenario(join(REPO, 'scenarios/paper', `${scenario}.yaml`))) {
      const p = ideal(scenario, pt.label);
      mutate(scenario, pt.label, p);
      const sut = (pt.scenario.net as { sut: string }).sut;
      points.push({ scenario, point: pt.label, seed: 1, file: `${scenario}/${pt.label}.json`, result: result(p, sut) });
    }
  }
  return [new Results(points)];
}

const when = (sc: string, ...frags: string[]) => (scenario: string, label: string) => scenario === sc && frags.every((f) => label.includes(f));

/** One violation per row: the claim broken, everything else as the paper says. */
const VIOLATIONS: Record<string, (s: string, l: string, p: Pt) => void> = {
  T1: (s, l, p) => when('fig3-linux')(s, l) && (p.gbps = 4),
  T2: (s, l, p) => when('fig3-domu')(s, l) && (p.gbps = 1.5),
  'T2-dom0': (s, l, p) => when('fig3-domu')(s, l) && (p.dom0 = 50),
  'T2-util': (s, l, p) => when('fig3-linux')(s, l) && (p.linuxUtil = 120),
  T3: (s, l, p) => when('fig3-dom0')(s, l) && (p.gbps = 3),
  T4: (s, l, p) => when('fig4-msgsize', 'messageSize=4096')(s, l) && (p.domu = 10), // the gap grows at 4 KB
  T5: (s, l, p) => when('fig5-sedf', '[0]')(s, l) && (p.gbps = 2.2),
  T6: (s, l, p) => when('fig7-cacheaware', 'cacheAware=true')(s, l) && /=(4096|16384|65536)/.test(l) && (p.gbps = 2.3),
  'T6-util': (s, l, p) => when('fig7-cacheaware', 'cacheAware=true')(s, l) && /=(4096|16384|65536)/.test(l) && (p.upg = 70),
  'T6-small': (s, l, p) => when('fig7-cacheaware', 'cacheAware=true')(s, l) && /messageSize=(64|256)$/.test(l) && (p.gbps = 3.5),
  'T6-small-util': (s, l, p) => when('fig7-cacheaware', 'cacheAware=true')(s, l) && /messageSize=(64|256)$/.test(l) && (p.upg = 75),
  T7: (s, l, p) => when('fig8-dom0vcpus', 'cacheAware=false', 'vcpus=4')(s, l) && (p.gbps = 2.7), // rises from 2 to 4 VCPUs
  'T7-1vcpu': (s, l, p) => when('fig8-dom0vcpus', 'cacheAware=true', 'vcpus=1')(s, l) && (p.gbps = 2.65),
  'T7-1vcpu-util': (s, l, p) => when('fig8-dom0vcpus', 'cacheAware=true', 'vcpus=1')(s, l) && (p.upg = 70),
  'T7-shrink': (s, l, p) => when('fig8-dom0vcpus', 'cacheAware=true', 'vcpus=4')(s, l) && (p.gbps = 2.4 * 1.3), // gain grows from 2 to 4
  T8: (s, l, p) => when('fig9-creditsteal', 'creditSteal', 'vcpus=8')(s, l) && (p.gbps = 2.553),
  'T8-util': (s, l, p) => when('fig9-creditsteal', 'creditSteal', 'vcpus=8')(s, l) && (p.upg = 65),
  'T8-AB': (s, l, p) => when('fig9-creditsteal', 'creditSteal', 'vcpus=8')(s, l) && (p.gbps = 4.5),
  'T8-AB-util': (s, l, p) => when('fig9-creditsteal', 'creditSteal', 'vcpus=8')(s, l) && (p.upg = 72.6),
  T9: () => {},
  T10: () => {},
  'T11-cycles': () => {},
  T11: (s, l, p) => when('fig11-simplebridge', 'bridge=simple')(s, l) && /=(4096|16384|65536)/.test(l) && (p.gbps = 3.4),
  'T11-util': (s, l, p) => when('fig11-simplebridge', 'bridge=simple')(s, l) && /=(4096|16384|65536)/.test(l) && (p.upg = 70),
  'T11-small-util': (s, l, p) => when('fig11-simplebridge', 'bridge=simple')(s, l) && /messageSize=(64|256)$/.test(l) && (p.upg = 70),
  T12: (s, l, p) => when('fig12-txqueuelen', 'txqueuelen=128')(s, l) && (p.gbps = 4.5),
  'T12-gain': (s, l, p) => when('fig12-txqueuelen', 'txqueuelen=128')(s, l) && (p.gbps = 2.35),
  'T12-util': (s, l, p) => when('fig12-txqueuelen', 'txqueuelen=128')(s, l) && (p.upg = 70),
  'T12-best': (s, l, p) => when('fig12-txqueuelen', 'txqueuelen=512')(s, l) && (p.gbps = 3.6),
  'T12-drops': (s, l, p) => when('fig12-txqueuelen', 'txqueuelen=32')(s, l) && (p.fe = 3),
  T13: (s, l, p) => when('fig13-combined', '"A"', 'messageSize=65536')(s, l) && (p.gbps = 3.5),
  'T13-gain': (s, l, p) => when('fig13-combined', '"A"')(s, l) && /=(4096|16384|65536)/.test(l) && (p.gbps = 2.4),
  'T13-util': (s, l, p) => when('fig13-combined', '"A"')(s, l) && /=(4096|16384|65536)/.test(l) && (p.upg = 69),
  'T13-small-bw': (s, l, p) => when('fig13-combined', '"A"')(s, l) && /messageSize=(64|256)$/.test(l) && (p.gbps = 2.2),
  'T13-small': (s, l, p) => when('fig13-combined', '"A"')(s, l) && /messageSize=(64|256)$/.test(l) && (p.upg = 70),
  T14: (s, l, p) => when('fig13-combined', '"A"', 'messageSize=65536')(s, l) && (p.dom0 = 110),
};

describe('the reproduction table on crafted results', () => {
  it('results stating the paper’s claims pass every row', () => {
    const rows = computeRows(craft());
    const failing = rows.filter((r) => !r.pass).map((r) => `${r.id}: ${r.emulated}`);
    expect(failing).toEqual([]);
    expect(summarize(rows)).toMatch(/^predictions (\d+)\/\1 pass; 3 inputs \(3 hold\), 2 calibrated \(2 hit\)$/);
  });

  it('every row has a violation test, and inputs/calibrated rows are labelled as such', () => {
    const rows = computeRows(craft());
    expect(rows.map((r) => r.id).sort()).toEqual(Object.keys(VIOLATIONS).sort());
    const kinds = Object.fromEntries(rows.map((r) => [r.id, r.kind]));
    expect(kinds.T1).toBe('calibrated');
    expect(kinds.T9).toBe('input');
    expect(kinds.T12).toBe('prediction');
    expect(computeRows(craft(), { scaleFittedOn: 'dom0-util' }).find((r) => r.id === 'T2')!.kind).toBe('prediction');
  });

  for (const [id, mutate] of Object.entries(VIOLATIONS)) {
    if (['T9', 'T10', 'T11-cycles'].includes(id)) continue;
    it(`${id} fails when its claim is violated`, () => {
      const rows = computeRows(craft(mutate));
      expect(rows.find((r) => r.id === id)!.pass).toBe(false);
    });
  }

  // Each clause of a multi-part tolerance, broken alone (VIOLATIONS breaks one clause per row).
  const CLAUSES: [string, string, (s: string, l: string, p: Pt) => void][] = [
    ['T3', 'Dom0’s utilization not above Linux’s, bandwidth as Linux’s', (s, l, p) => when('fig3-dom0')(s, l) && (p.dom0 = 70)],
    ['T4', 'DomU above Dom0 at 64 KB only (the gap per Gbps still falls)', (s, l, p) => when('fig4-msgsize', 'messageSize=65536')(s, l) && (p.domu = 110)],
    ['T7-shrink', 'Opt A’s gain flat over the VCPU counts', (s, l, p) => when('fig8-dom0vcpus', 'cacheAware=true')(s, l) && (p.gbps = [2.6, 2.5, 2.4, 2.3][[1, 2, 4, 8].indexOf(Number(/vcpus=(\d+)/.exec(l)![1]))]! * 1.2)],
    ['T12-drops', 'drops but no retransmits', (s, l, p) => when('fig12-txqueuelen', 'txqueuelen=32')(s, l) && (p.retx = 0)],
    ['T12-drops', 'retransmits but no netback queue drops', (s, l, p) => when('fig12-txqueuelen', 'txqueuelen=32')(s, l) && (p.drops = 0)],
    ['T2-util', 'DomU at 8× Linux’s utilization (above 3×)', (s, l, p) => when('fig3-linux')(s, l) && (p.linuxUtil = 20)],
    ['T4', 'no bandwidth at any size (the gap per Gbps is infinite: not a number to judge)', (s, l, p) => when('fig4-msgsize')(s, l) && (p.gbps = 0)],
  ];
  for (const [id, what, mutate] of CLAUSES) {
    it(`${id} fails with ${what}`, () => {
      const rows = computeRows(craft(mutate));
      expect(rows.find((r) => r.id === id)!.pass).toBe(false);
      // Only that row: the crafted change breaks no other claim.
      expect(rows.filter((r) => !r.pass).map((r) => r.id)).toEqual([id]);
    });
  }

  it('T7 fails when the number of Dom0 VCPUs changes nothing (a flat line is not "fewer → more")', () => {
    const rows = computeRows(craft((s, l, p) => when('fig8-dom0vcpus')(s, l) && (p.gbps = l.includes('cacheAware=true') ? 2.38 : 2.28)));
    expect(rows.find((r) => r.id === 'T7')!.pass).toBe(false);
  });

  it('the input rows fail when the components do not keep Table 1’s ratios', () => {
    const pts = craft()[0]!.points.map((p) => {
      const r = structuredClone(p.result) as any;
      r.components = r.components.map((c: { name: string; cyclesPerPacket: number }) => ({ ...c, cyclesPerPacket: c.name === 'io_channel' ? c.cyclesPerPacket * 2 : c.cyclesPerPacket }));
      r.bridgeProfile.jhashCycles *= 2;
      if (p.scenario === 'fig11-simplebridge') r.components = r.components.map((c: any) => (c.name === 'simple_bridge' ? { ...c, cyclesPerPacket: c.cyclesPerPacket * 3 } : c));
      return { ...p, result: r };
    });
    const rows = computeRows([new Results(pts)]);
    for (const id of ['T9', 'T10', 'T11-cycles']) expect(rows.find((r) => r.id === id)!.pass, id).toBe(false);
  });

  it('a missing point fails its rows with "missing data", never reads as 0', () => {
    const pts = craft()[0]!.points.filter((p) => !(p.scenario === 'fig12-txqueuelen' && p.point.includes('txqueuelen=128')));
    const rows = computeRows([new Results(pts)]);
    const t12 = rows.find((r) => r.id === 'T12')!;
    expect(t12.pass).toBe(false);
    expect(t12.emulated).toMatch(/^missing data/);
  });

  it('with several seeds: mean decides, min–max shown', () => {
    const a = craft((s, l, p) => when('fig3-domu')(s, l) && (p.gbps = 2.0))[0]!;
    const b = craft((s, l, p) => when('fig3-domu')(s, l) && (p.gbps = 2.6))[0]!;
    const relabel = (r: Results, seed: number) => new Results(r.points.map((p) => ({ ...p, seed })));
    const row = computeRows([relabel(a, 1), relabel(b, 2)]).find((r) => r.id === 'T2')!;
    expect(row.emulated).toBe('2.30 Gbps [2.00 Gbps … 2.60 Gbps]');
    expect(row.pass).toBe(true);
    expect(row.seeds).toEqual([2.0, 2.6]);
  });
});

describe('the min…max spread of a multi-number row', () => {
  it('shows whole seeds, never numbers from different seeds side by side', () => {
    // Seed 1: Dom0 80% → 81% (+1.25%); seed 2: 74% → 80% (+8.1%).
    const seedPts = (base: number, all: number, seed: number) =>
      new Results(
        craft((s, l, p) => {
          if (s === 'fig13-combined' && l.endsWith('messageSize=65536')) p.dom0 = l.includes('"A"') ? all : base;
        })[0]!.points.map((p) => ({ ...p, seed })),
      );
    const row = computeRows([seedPts(80, 81, 1), seedPts(74, 80, 2)]).find((r) => r.id === 'T14')!;
    const parts = [...row.emulated.matchAll(/(\d+)% → (\d+)% \(([+-][\d.]+)%\)/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
    expect(parts).toHaveLength(3); // mean, min, max
    for (const [a, b, x] of parts.slice(1)) expect(Math.abs(((b! - a!) / a!) * 100 - x!)).toBeLessThan(0.8);
    expect(row.emulated).toContain('[80% → 81% (+1.3%) … 74% → 80% (+8.1%)]');
  });
});
