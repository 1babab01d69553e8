// Every component machine driven with random event sequences (and random
// waits, for `after` delays on the kernel clock) two ways — XState's own
// interpreter and the flat runner the kernel uses — must pass through the same
// states and call the same actions in the same order, at the same virtual times.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { createBridgeMachine } from '../../actors/bridge.ts';
import { createNetbackMachine } from '../../actors/netback.ts';
import { createNetfrontMachine } from '../../actors/netfront.ts';
import { createNicRingMachine } from '../../actors/nicRing.ts';
import { createPcpuMachine } from '../../actors/pcpu.ts';
import { createTokenMachine } from '../../actors/token.ts';
import { createVcpuMachine } from '../../actors/vcpu.ts';
import { compileFlatMachine } from '../../src/kernel/flatMachine.ts';
import { Sim } from '../../src/kernel/sim.ts';
import { XStateActor } from '../../src/kernel/xstateHost.ts';

/** A machine factory whose deps record every call into `log` and answer guards from `oracle`. */
interface Case {
  name: string;
  make(log: string[], oracle: () => boolean, sim: () => Sim): AnyStateMachine;
  events: fc.Arbitrary<{ type: string; [k: string]: unknown }>;
}

const CASES: Case[] = [
  {
    name: 'pcpu',
    make: (log) => createPcpuMachine({ tick: () => log.push('tick') }),
    events: fc.oneof(fc.boolean().map((running) => ({ type: 'SWITCH', running })), fc.constant({ type: 'TICK' })),
  },
  {
    name: 'vcpu',
    make: (log, oracle) =>
      createVcpuMachine({
        wake: (w) => log.push(`wake:${w}`),
        sleep: () => log.push('sleep'),
        wantsCpu: () => {
          const r = oracle();
          log.push(`wantsCpu?${r}`);
          return r;
        },
        dequeue: () => log.push('dequeue'),
        setState: (s) => log.push(`state:${s}`),
      }),
    events: fc.oneof(
      fc.integer({ min: -1, max: 7 }).map((waker) => ({ type: 'NOTIFY', waker })),
      fc.integer({ min: 0, max: 7 }).map((pcpu) => ({ type: 'RUN', pcpu })),
      fc.constantFrom({ type: 'DESCHEDULE' }, { type: 'BLOCK' }, { type: 'PAUSE' }, { type: 'UNPAUSE' }),
    ),
  },
  {
    name: 'nicRing',
    make: (log, _o, sim) => createNicRingMachine({ holdMs: () => (sim().nowNs % 7) / 100, fireIrq: () => log.push(`irq@${sim().nowNs}`) }),
    events: fc.oneof(fc.constant({ type: 'RX' }), fc.boolean().map((ringEmpty) => ({ type: 'POLL_DONE', ringEmpty }))),
  },
  {
    name: 'netfront',
    make: (log) => createNetfrontMachine({ schedulePoll: () => log.push('poll') }),
    events: fc.oneof(fc.constant({ type: 'NOTIFY' }), fc.boolean().map((more) => ({ type: 'POLL_DONE', more }))),
  },
  { name: 'netback', make: () => createNetbackMachine(), events: fc.constantFrom({ type: 'STOP' }, { type: 'WAKE' }) },
  {
    name: 'bridge',
    make: (log, _o, sim) => createBridgeMachine({ ageCheckMs: 0.05, age: () => log.push(`age@${sim().nowNs}`), learned: () => log.push('learned') }),
    events: fc.constant({ type: 'LEARNED' }),
  },
];

type Step = { event: { type: string; [k: string]: unknown } } | { waitNs: number };

function drive(c: Case, steps: Step[], interpret: boolean, oracleBits: boolean[]): { states: string[]; log: string[] } {
  const log: string[] = [];
  let bit = 0;
  const oracle = () => oracleBits[bit++ % oracleBits.length]!;
  const sim = new Sim({ seed: 1 });
  const actor = new XStateActor(1, sim, c.make(log, oracle, () => sim), undefined, { interpret });
  const states = [actor.value];
  for (const s of steps) {
    if ('event' in s) actor.send(s.event as never);
    else sim.runUntil(sim.nowNs + s.waitNs + 1);
    states.push(actor.value);
  }
  return { states, log };
}

describe('flat machines follow XState', () => {
  it('every component machine in actors/ compiles to the flat runner (the token demo, with `always`, stays interpreted)', () => {
    for (const c of CASES) expect(compileFlatMachine(c.make([], () => true, () => new Sim({ seed: 1 }))), c.name).not.toBeNull();
    const token = createTokenMachine({ enqueue() {}, waiting: () => 0, holdMs: () => 1, forwardHead() {} });
    expect(compileFlatMachine(token)).toBeNull();
  });

  for (const c of CASES) {
    it(`${c.name}: same states and actions both ways over random event sequences`, () => {
      const step: fc.Arbitrary<Step> = fc.oneof({ weight: 4, arbitrary: c.events.map((event) => ({ event })) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 200_000 }).map((waitNs) => ({ waitNs })) });
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (steps, bits) => {
          const a = drive(c, steps, true, bits);
          const b = drive(c, steps, false, bits);
          expect(b.states).toEqual(a.states);
          expect(b.log).toEqual(a.log);
        }),
        { numRuns: 300, seed: 42 },
      );
    });
  }
});
