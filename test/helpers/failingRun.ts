// An Execution in which one run fails, as a crash in a worker would report it,
// for the reporting commands' failure paths.
import { Execution, type ExecuteOptions, type PointOutput } from '../../src/run/execute.ts';
import type { ScenarioPoint } from '../../src/scenario/load.ts';

export const INJECTED_FAILURE = 'Error: injected failure';

/** Point `index` of every batch fails; `durationNs` (with half of it warm-up) shortens every run when the numbers do not matter. */
export class FailingRun extends Execution {
  constructor(
    private readonly index: number,
    private readonly durationNs?: number,
  ) {
    super();
  }

  override async run(points: ScenarioPoint[], opts: ExecuteOptions): Promise<PointOutput[]> {
    const d = this.durationNs;
    const runs = d === undefined ? points : points.map((p) => ({ ...p, scenario: { ...p.scenario, durationNs: d, warmupNs: d / 2 } }));
    return super.run(runs, {
      ...opts,
      onPointDone: (r, i) => {
        if (i === this.index) r.error = INJECTED_FAILURE;
        opts.onPointDone?.(r, i);
      },
    });
  }
}
