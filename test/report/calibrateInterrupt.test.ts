// An interrupted calibration fits nothing but keeps what it measured: a
// stop during the curve keeps the curve's scales whose seeds all ended
// (they used to be dropped: "0 curve scales" after most of the curve had run).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrate, CalibrationInterrupted, CURVE_SCALES, CURVE_SEEDS } from '../../src/report/calibrate.ts';
import { Execution, type ExecuteOptions, type PointOutput } from '../../src/run/execute.ts';
import type { ScenarioPoint } from '../../src/scenario/load.ts';

/** Stops itself (as Ctrl-C does) once `after` runs of the curve have ended. */
class StopDuringCurve extends Execution {
  constructor(private readonly after: number) {
    super();
  }

  override async run(points: ScenarioPoint[], opts: ExecuteOptions): Promise<PointOutput[]> {
    if (points.length !== CURVE_SCALES.length * CURVE_SEEDS.length) return super.run(points, opts);
    let ended = 0;
    return super.run(points, {
      ...opts,
      onPointDone: (r, i) => {
        opts.onPointDone?.(r, i);
        if (!r.interrupted && ++ended === this.after) this.stop();
      },
    });
  }
}

describe('calibrate stopped during the curve', () => {
  it('keeps the scales whose seeds all ended', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vioemu-cal-curve-')), 'cal.yaml');
    // One worker: the curve's runs end in order, scale by scale, so two whole scales have ended.
    const e = await calibrate({ out, workers: 1, quick: true, log: () => {}, exec: new StopDuringCurve(2 * CURVE_SEEDS.length) }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(CalibrationInterrupted);
    const measured = (e as CalibrationInterrupted).measured;
    expect(measured.txCyclesPerPacket).not.toBeNull();
    expect(measured.curve.map((c) => c.scale)).toEqual(CURVE_SCALES.slice(0, 2));
    for (const c of measured.curve) expect(c.gbps.mean).toBeGreaterThan(0);
  });
});

/** The second T1 run fails. */
class SecondT1RunFails extends Execution {
  private t1Runs = 0;

  override async run(points: ScenarioPoint[], opts: ExecuteOptions): Promise<PointOutput[]> {
    const fail = points.length === 1 && ++this.t1Runs === 2;
    const outs = await super.run(points, opts);
    if (fail) outs[0]!.result.error = 'Error: injected failure';
    return outs;
  }
}

describe('calibrate with a failed run', () => {
  it('stops as an interruption does, keeping what the runs before measured, and names the run', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vioemu-cal-fail-')), 'cal.yaml');
    const e = await calibrate({ out, workers: 1, quick: true, log: () => {}, exec: new SecondT1RunFails() }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(CalibrationInterrupted);
    const ci = e as CalibrationInterrupted;
    expect(ci.failure).toMatch(/^fig3-linux .*: Error: injected failure$/);
    expect(ci.measured.t1).toHaveLength(1);
    expect(ci.measured.curve).toEqual([]);
  });
});
