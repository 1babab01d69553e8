// Fleet traffic phases that keep an application on: a phase that switches nothing on or off and
// keeps the writers' -l is no event for the guests — their clients and aggregators do not start
// over, their bulk writers are not woken again. The run is the run without phases.
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/inProcess.ts';

const run = (phases: string) =>
  runInProcess('scenarios/soak/fleet-soak.yaml', [
    'duration=60ms',
    'warmup=0s',
    `net.fleet.traffic=[{pattern: permutation${phases}}, {pattern: request-response${phases}}]`,
  ]).summary;

describe('fleet phases that stay on', () => {
  it('on phase after on phase with the same -l: the same run as no phases at all', () => {
    const plain = run('');
    expect(plain.throughputGbps).toBeGreaterThan(1);
    // 3 ms and 4 ms phases: 17 phase changes in 60 ms, each one re-applying "on".
    expect(run(', phases: [{duration: 3ms}, {duration: 4ms}]')).toEqual(plain);
  });
});
