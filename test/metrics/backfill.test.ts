// --openmetrics on the scheduler soak: a well-formed OpenMetrics file whose
// samples hold the state at their virtual instant (not one interval later),
// byte-identical across runs, backfilled with promtool into a TSDB that a real
// Prometheus serves at epoch + k·interval, where the scheduler dashboard's
// queries have data.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { dashboardQueries } from '../helpers/dashboards.ts';
import { prometheusBin, promtoolBin, serveBackfill, type ServedBackfill } from '../helpers/backfilledPrometheus.ts';

const EPOCH = 1_700_000_000;
const SECONDS = 6;
/** Credit scheduler time slice (3 ticks of 10 ms). */
const SLICE_S = 0.03;
const promtool = promtoolBin;
const promBin = prometheusBin;
if (!promtool || !promBin) console.warn('SKIP backfill into Prometheus: needs `promtool` and `prometheus` on PATH (Debian package prometheus)');

/** sample lines → series key → [value, timestamp][] */
function parseSamples(text: string): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?(?:\{.*\})?) (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error(`bad sample line: ${line}`);
    const list = out.get(m[1]!) ?? [];
    list.push([Number(m[2]), Number(m[3])]);
    out.set(m[1]!, list);
  }
  return out;
}

describe('--openmetrics on the scheduler soak', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vioemu-backfill-'));
  const file = join(dir, 'sched.om');
  let text = '';
  let again = '';

  beforeAll(async () => {
    const args = (f: string) => ['run', 'scenarios/soak/sched-soak.yaml', '--duration', `${SECONDS}s`, '--openmetrics', f, '--openmetrics-interval', '1s'];
    const [a, b] = await Promise.all([runCli(args(file)), runCli(args(join(dir, 'again.om')))]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    text = readFileSync(file, 'utf8');
    again = readFileSync(join(dir, 'again.om'), 'utf8');
  }, 90_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is byte-identical across runs (fixed epoch, virtual-time sampling)', () => {
    expect(again).toBe(text);
  });

  it('has contiguous families with TYPE/HELP/UNIT first, ordered samples, and ends with # EOF', () => {
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    const families: string[] = [];
    let current = '';
    for (const line of text.trimEnd().split('\n').slice(0, -1)) {
      const meta = /^# (TYPE|HELP|UNIT) (\S+)/.exec(line);
      if (meta) {
        if (meta[1] === 'TYPE') {
          expect(families, `family ${meta[2]} twice`).not.toContain(meta[2]);
          families.push((current = meta[2]!));
        } else expect(meta[2]).toBe(current);
        if (meta[1] === 'UNIT') expect(current.endsWith(`_${line.split(' ')[3]}`)).toBe(true);
        continue;
      }
      expect(line.startsWith(current), `${line} outside family ${current}`).toBe(true);
    }
    expect(families).toContain('vioemu_sched_wake_latency_seconds');
    expect(text).toMatch(/^# TYPE vioemu_domain_cpu_seconds counter\n# HELP .*\n# UNIT vioemu_domain_cpu_seconds seconds$/m);
    expect(text).not.toMatch(/vioemu_wall_time_seconds|vioemu_realtime_factor/);
    const stamps = Array.from({ length: SECONDS }, (_, k) => EPOCH + k + 1);
    for (const [key, pts] of parseSamples(text)) expect(pts.map((p) => p[1]), key).toEqual(stamps);
  });

  it('writes each histogram MetricPoint together: cumulative buckets, +Inf = count', () => {
    const lines = text.split('\n').filter((l) => l.startsWith('vioemu_sched_wake_latency_seconds') && l.includes('domain="dom0"'));
    const point = lines.filter((l) => l.endsWith(` ${EPOCH + 1}.000`));
    expect(lines.indexOf(point.at(-1)!) - lines.indexOf(point[0]!)).toBe(point.length - 1);
    const buckets = point.filter((l) => l.includes('_bucket')).map((l) => Number(l.split(' ')[1]));
    expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    const count = Number(point.find((l) => l.includes('_count'))!.split(' ')[1]);
    expect(buckets.at(-1)).toBe(count);
    expect(count).toBeGreaterThan(0);
  });

  it('a sample stamped t holds the state at t exactly, not an interval later', () => {
    // Every partition pauses at each whole interval: no overshoot.
    const stepS = 0;
    const samples = parseSamples(text);
    let saturated = 0;
    for (let p = 0; p < 8; p++) {
      const pts = samples.get(`vioemu_pcpu_busy_seconds_total{host="sut",pcpu="${p}"}`)!;
      for (const [busy, ts] of pts) {
        const t = ts - EPOCH;
        // A PCPU is busy at most all the time up to t.
        expect(busy, `pcpu ${p} at t=${t}`).toBeLessThanOrEqual(t + stepS + 1e-9);
      }
      if (pts.every(([busy, ts]) => busy >= ts - EPOCH - SLICE_S - stepS)) saturated++;
    }
    // The six hogs keep six PCPUs saturated: their samples are not stale either
    // (the model credits busy time when a slice ends, so it lags by up to a slice).
    expect(saturated).toBeGreaterThanOrEqual(6);
    const vt = samples.get('vioemu_virtual_time_seconds')!;
    expect(vt.map(([v, ts]) => [v, ts - EPOCH])).toEqual(Array.from({ length: SECONDS }, (_, k) => [k + 1, k + 1]));
  });

  describe.skipIf(!promtool || !promBin)('backfilled with promtool and served by Prometheus', () => {
    let served: ServedBackfill | undefined;
    const get = async (path: string) => (await (await fetch(`${served!.url}${path}`)).json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] } };

    beforeAll(async () => {
      served = await serveBackfill(file, dir);
    }, 60_000);

    afterAll(async () => {
      await served?.stop();
    });

    it('a range query returns the run’s samples at epoch + k·interval', async () => {
      const r = await get(`/api/v1/query_range?query=vioemu_virtual_time_seconds&start=${EPOCH + 1}&end=${EPOCH + SECONDS}&step=1`);
      expect(r.status, r.error).toBe('success');
      expect(r.data.result[0]!.values).toEqual(Array.from({ length: SECONDS }, (_, k) => [EPOCH + k + 1, String(k + 1)]));
      const cpu = await get(`/api/v1/query_range?query=${encodeURIComponent('vioemu_domain_cpu_seconds_total{domain="hogs"}')}&start=${EPOCH + 1}&end=${EPOCH + SECONDS}&step=1`);
      const hogs = cpu.data.result[0]!.values!;
      expect(hogs.map((v) => v[0])).toEqual(Array.from({ length: SECONDS }, (_, k) => EPOCH + k + 1));
      // Six hogs: six CPU seconds per virtual second.
      for (let k = 1; k < hogs.length; k++) expect(Number(hogs[k]![1]) - Number(hogs[k - 1]![1])).toBeCloseTo(6, 0);
    });

    it('every scheduler-dashboard query has data on the backfill (rates are per virtual second there)', async () => {
      const empty: string[] = [];
      const qs = dashboardQueries().filter((q) => q.file === 'vioemu-scheduler.json');
      for (const q of qs) {
        const expr = q.expr.replace(/\$__rate_interval/g, '4s').replace(/\$__interval/g, '1s').replace(/\$__range/g, '5s').replace(/\$host|\$domain/g, '.*');
        const r = await get(`/api/v1/query?query=${encodeURIComponent(expr)}&time=${EPOCH + SECONDS}`);
        expect(r.status, `${q.panel}: ${r.error}`).toBe('success');
        if (!r.data.result.some((s) => Number.isFinite(Number(s.value![1])))) empty.push(`${q.panel}: ${q.expr}`);
      }
      expect(empty).toEqual([]);
      const busy = await get(`/api/v1/query?query=${encodeURIComponent(qs.find((q) => /PCPU \(% busy\)/.test(q.panel))!.expr.replace(/\$__rate_interval/g, '4s').replace(/\$host/g, '.*'))}&time=${EPOCH + SECONDS}`);
      const pct = busy.data.result.map((s) => Number(s.value![1]));
      expect(Math.max(...pct)).toBeGreaterThan(95);
      expect(Math.max(...pct)).toBeLessThan(101);
    });
  });
});
