// Settings of `net` that a fleet has no use for are refused, naming the field (fleetScenario.ts checkUnused):
// net.domu.placement (a fleet DomU's VCPUs take Xen's placement) and net.bridgeAgeing (a fleet's bridge
// forwards by the flow table, with no forwarding database) used to be accepted and ignored — the run was
// the same as without them.
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenario } from '../../src/scenario/load.ts';

const RACK = 'scenarios/scale/rack-16x16.yaml';

function problem(sets: string[]): ScenarioError | null {
  try {
    loadScenario(RACK, { sets });
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  return null;
}

describe('net settings a fleet ignores', () => {
  it.each([
    [['net.domu.placement=[3]'], 'net.domu.placement'],
    [['net.bridgeAgeing=1s'], 'net.bridgeAgeing'],
  ])('%s is refused, naming %s', (sets, field) => {
    const err = problem(sets);
    expect(err, `${sets.join(' ')}: accepted`).toBeInstanceOf(ScenarioError);
    expect(err!.fieldPath).toBe(field);
    expect(err!.problem).toMatch(/not used with net\.fleet/);
  });

  it('their defaults still load', () => {
    expect(problem(['net.bridgeAgeing=300s'])).toBeNull();
  });
});
