// messageSize is iperf's -l of bulk writers. Request-response and incast write their own sizes
// (requestSize, responseSize, blockSize): a messageSize given to them, on the pattern or in a phase,
// used to be accepted and ignored (the same run as without it). It is refused, naming the field.
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/scenario/errors.ts';
import { fleetConfig } from '../../../src/scenario/fleetScenario.ts';
import { loadScenario } from '../../../src/scenario/load.ts';

/** Load (which validates) and build the fleet's configuration, as `vioemu run` does before running. */
function configure(traffic: string) {
  return () => {
    const [pt] = loadScenario('scenarios/soak/fleet-soak.yaml', { sets: [`net.fleet.traffic=${traffic}`] });
    return fleetConfig(pt!.scenario);
  };
}

describe('messageSize on patterns that do not write messages of it', () => {
  it.each([
    ['request-response', '[{pattern: request-response, messageSize: 1}]', 'net.fleet.traffic.0.messageSize'],
    ['request-response, in a phase', '[{pattern: bulk}, {pattern: request-response, phases: [{duration: 1s, messageSize: 1}]}]', 'net.fleet.traffic.1.phases.0.messageSize'],
    ['incast', '[{pattern: incast, fanIn: 2, messageSize: 1}]', 'net.fleet.traffic.0.messageSize'],
  ])('%s: refused, naming the field', (_, traffic, field) => {
    const build = configure(traffic);
    expect(build).toThrow(ScenarioError);
    expect(build).toThrow(new RegExp(field.replace(/\./g, '\\.') + ': not used by'));
  });

  it('bulk writers still take it, and request-response without it still runs', () => {
    expect(configure('[{pattern: bulk, messageSize: 1, phases: [{duration: 1s, messageSize: 100}]}]')().apps[0]!.messageBytes).toBe(1);
    expect(configure('[{pattern: request-response, phases: [{duration: 1s}, {duration: 1s, active: false}]}]')().apps[0]!.kind).toBe('rr');
  });
});
