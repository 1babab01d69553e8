// Kernel micro-benchmarks: plain events/s and XState-hosted events/s, in-process.
import { setup } from 'xstate';
import { Sim, type Actor } from '../../src/kernel/sim.ts';
import { XStateActor } from '../../src/kernel/xstateHost.ts';

const GO = { type: 'GO' } as const;

/** N plain actors ping-ponging messages with RNG delays; returns events/s. */
export function plainEventsPerSecond(events: number): number {
  const sim = new Sim({ seed: 1 });
  const n = 64;
  const rng = sim.rng(0);
  for (let i = 0; i < n; i++) {
    const actor: Actor = {
      id: i,
      receive: () => sim.send(i, (i + 1) % n, 1 + (rng.nextU32() & 1023), null),
    };
    sim.register(actor);
    sim.send(i, i, i, null);
  }
  const t0 = process.hrtime.bigint();
  let done = 0;
  while (done < events) done += sim.runUntil(Infinity, events - done);
  return events / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/**
 * XState actors fed by kernel messages; returns XState events/s. `toggle`: every
 * event changes state (like RUN/BLOCK on a VCPU); otherwise a targetless
 * transition with an action (like TICK on a PCPU).
 */
export function xstateEventsPerSecond(events: number, toggle = true): number {
  const sim = new Sim({ seed: 1 });
  const n = 64;
  for (let i = 0; i < n; i++) {
    const forward = () => sim.send(i, (i + 1) % n, 1 + ((i * 7919) & 1023), GO);
    const machine = toggle
      ? setup({ actions: { forward } }).createMachine({
          initial: 'a',
          states: { a: { on: { GO: { target: 'b', actions: 'forward' } } }, b: { on: { GO: { target: 'a', actions: 'forward' } } } },
        })
      : setup({ actions: { forward } }).createMachine({ initial: 'a', states: { a: { on: { GO: { actions: 'forward' } } } } });
    sim.register(new XStateActor(i, sim, machine));
    sim.send(i, i, i, GO);
  }
  const t0 = process.hrtime.bigint();
  let done = 0;
  while (done < events) done += sim.runUntil(Infinity, events - done);
  return events / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** XState actors whose `after` delays run on the kernel clock; returns delayed transitions/s. */
export function xstateTimersPerSecond(events: number): number {
  const sim = new Sim({ seed: 1 });
  const n = 64;
  for (let i = 0; i < n; i++) {
    const machine = setup({ delays: { wait: () => 0.001 * (1 + (i % 7)) } }).createMachine({
      initial: 'a',
      states: { a: { after: { wait: 'b' } }, b: { after: { wait: 'a' } } },
    });
    sim.register(new XStateActor(i, sim, machine));
  }
  const t0 = process.hrtime.bigint();
  let done = 0;
  while (done < events) done += sim.runUntil(Infinity, events - done);
  return events / (Number(process.hrtime.bigint() - t0) / 1e9);
}
