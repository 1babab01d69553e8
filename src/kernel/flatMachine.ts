// Runs an XState v5 machine whose states are flat (one level, as every
// component machine in actors/ is) straight from its definition: the state
// nodes, transitions, guards, actions, entry/exit actions and `after` delays
// XState built from `setup(...).createMachine(...)`, with delayed transitions
// on the kernel's clock. XState's interpreter costs microseconds per event
// (snapshot cloning, microsteps, macrosteps); a flat machine needs a table
// lookup. The selection rules are XState's: the state's own transitions before
// the root's, the first whose guard holds, exit actions → transition actions
// → entry actions, a targetless transition runs only its actions, a
// transition to the same state re-enters only with `reenter: true`.
// compileFlatMachine returns null for anything beyond that (nested or
// parallel states, context, invoked actors, built-in action creators), and the
// caller then runs the real XState actor. test/kernel/flatMachine.test.ts drives
// every machine both ways with random events and compares states and actions.
import type { AnyStateMachine } from 'xstate';

/** An event as XState sees it. */
export interface MachineEvent {
  type: string;
  [k: string]: unknown;
}

type Fn = (event: MachineEvent) => void;

/**
 * The argument XState hands actions, guards and delays ({ context, event }):
 * one scratch object whose event is set right before each call. They read it
 * at once and keep nothing of it, so a delivery allocates no argument objects.
 */
const ARGS: { context: undefined; event: MachineEvent } = { context: undefined, event: { type: 'xstate.init' } };
function argsOf(event: MachineEvent): typeof ARGS {
  ARGS.event = event;
  return ARGS;
}
type Guard = (event: MachineEvent) => boolean;

interface Transition {
  /** Index of the target state, or -1 for a targetless transition. */
  target: number;
  reenter: boolean;
  guard: Guard | null;
  actions: Fn[];
}

interface Delayed {
  delayMs: (event: MachineEvent) => number;
  eventType: string;
}

interface State {
  name: string;
  entry: Fn[];
  exit: Fn[];
  on: Map<string, Transition[]>;
  /** Per event type: the state's transitions, then the root's (XState's selection order), in one lookup. */
  table: Map<string, Transition[]>;
  after: Delayed[];
}

export interface CompiledMachine {
  id: string;
  states: State[];
  initial: number;
  rootOn: Map<string, Transition[]>;
}

/** Where delayed transitions are scheduled: the kernel, as data timers (checkpointable). */
export interface FlatClock {
  call(target: FlatMachineRun, method: 'afterFired', delayMs: number, arg: { epoch: number; state: number; delay: number }): unknown;
  cancel(handle: unknown): void;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Compile a flat machine into tables, or null when it uses something this runner does not do. */
export function compileFlatMachine(machine: AnyStateMachine): CompiledMachine | null {
  const m = machine as any;
  const root = m.root;
  if (m.config?.context !== undefined || (root.invoke?.length ?? 0) > 0 || (root.always?.length ?? 0) > 0) return null;
  const impl = m.implementations as { actions: Record<string, any>; guards: Record<string, any>; delays: Record<string, any> };
  const names = Object.keys(root.states ?? {});
  if (names.length === 0) return null;
  const index = new Map(names.map((n, i) => [n, i]));

  const action = (a: any): Fn | null => {
    if (typeof a === 'function') {
      // Built-in action creators (assign, raise, sendTo, …) are functions carrying a `type`; only plain inline actions are ours.
      if (typeof a.type === 'string' && a.type.startsWith('xstate.')) return null;
      return (event) => {
        ARGS.event = event;
        a(ARGS, undefined);
      };
    }
    const type = typeof a === 'string' ? a : a?.type;
    const fn = impl.actions?.[type];
    if (typeof fn !== 'function' || (typeof fn.type === 'string' && fn.type.startsWith('xstate.'))) return null;
    const params = typeof a === 'object' ? a.params : undefined;
    if (typeof params === 'function') return (event) => fn(argsOf(event), params(argsOf(event)));
    return (event) => {
      ARGS.event = event;
      fn(ARGS, params);
    };
  };
  const actions = (list: any[] | undefined): Fn[] | null => {
    const out: Fn[] = [];
    for (const a of list ?? []) {
      const f = action(a);
      if (!f) return null;
      out.push(f);
    }
    return out;
  };
  const guard = (g: any): Guard | null | undefined => {
    if (g === undefined) return null;
    if (typeof g === 'function') {
      return (event) => {
        ARGS.event = event;
        return !!g(ARGS, undefined);
      };
    }
    const type = typeof g === 'string' ? g : g?.type;
    const fn = impl.guards?.[type];
    if (typeof fn !== 'function' || fn.check) return undefined; // higher-order guards (and/or/not) carry `check`
    const params = typeof g === 'object' ? g.params : undefined;
    return (event) => !!fn(argsOf(event), typeof params === 'function' ? params(argsOf(event)) : params);
  };
  const transitions = (defs: Map<string, any[]>): Map<string, Transition[]> | null => {
    const out = new Map<string, Transition[]>();
    for (const [ev, list] of defs) {
      const ts: Transition[] = [];
      for (const t of list) {
        if ((t.target?.length ?? 0) > 1) return null;
        const tgt = t.target?.[0];
        if (tgt && (tgt.parent !== root || !index.has(tgt.key))) return null;
        const g = guard(t.guard);
        const acts = actions(t.actions);
        if (g === undefined || !acts) return null;
        ts.push({ target: tgt ? index.get(tgt.key)! : -1, reenter: !!t.reenter, guard: g, actions: acts });
      }
      out.set(ev, ts);
    }
    return out;
  };

  const states: State[] = [];
  for (const name of names) {
    const node = root.states[name];
    if (Object.keys(node.states ?? {}).length > 0 || node.type !== 'atomic') return null;
    if ((node.invoke?.length ?? 0) > 0 || (node.always?.length ?? 0) > 0) return null;
    const on = transitions(node.transitions);
    // XState implements `after` as a delayed raise in the entry actions and a cancel in the exit actions; the runner schedules them itself.
    const afterEvents = new Set<string>((node.after ?? []).map((d: any) => d.eventType));
    const isAfterRaise = (a: any) => typeof a === 'function' && a.type === 'xstate.raise' && afterEvents.has(a.event?.type);
    const isAfterCancel = (a: any) => typeof a === 'function' && a.type === 'xstate.cancel' && afterEvents.size > 0;
    const entry = actions((node.entry ?? []).filter((a: any) => !isAfterRaise(a)));
    const exit = actions((node.exit ?? []).filter((a: any) => !isAfterCancel(a)));
    if (!on || !entry || !exit) return null;
    const after: Delayed[] = [];
    for (const d of node.after ?? []) {
      const delay = d.delay;
      let delayMs: (e: MachineEvent) => number;
      if (typeof delay === 'number') delayMs = () => delay;
      else if (typeof delay === 'string' && typeof impl.delays?.[delay] === 'function') delayMs = (event) => impl.delays[delay](argsOf(event), undefined);
      else if (typeof delay === 'string' && typeof impl.delays?.[delay] === 'number') delayMs = () => impl.delays[delay];
      else return null;
      after.push({ delayMs, eventType: d.eventType });
    }
    states.push({ name, entry, exit, on, table: new Map(), after });
  }
  const rootOn = transitions(root.transitions);
  const initial = root.initial?.target?.[0]?.key;
  if (!rootOn || initial === undefined || !index.has(initial)) return null;
  for (const st of states) {
    for (const [ev, ts] of st.on) st.table.set(ev, [...ts, ...(rootOn.get(ev) ?? [])]);
    for (const [ev, ts] of rootOn) if (!st.table.has(ev)) st.table.set(ev, [...ts]);
  }
  return { id: root.id ?? m.id, states, initial: index.get(initial)!, rootOn };
}

/** A running flat machine: current state, the kernel timers of its `after` delays. */
export class FlatMachineRun {
  private state: number;
  /** The current state's transition table, held directly: a delivery reads it without walking machine → states → state (each a likely cache miss when thousands of machines run). */
  private table: Map<string, Transition[]>;
  /** Timers of the current state's `after` transitions, and the entry epoch they belong to. */
  private timers: unknown[] = [];
  private epoch = 0;

  constructor(
    private readonly m: CompiledMachine,
    private readonly clock: FlatClock,
  ) {
    this.state = m.initial;
    this.table = m.states[m.initial]!.table;
    const init = { type: 'xstate.init' };
    this.enter(this.state, init);
  }

  get value(): string {
    return this.m.states[this.state]!.name;
  }

  send(event: MachineEvent): void {
    const ts = this.table.get(event.type);
    if (ts === undefined) return;
    // pick(ts, event), written out: once per XState event.
    for (let k = 0; k < ts.length; k++) {
      const t = ts[k]!;
      if (t.guard === null || t.guard(event)) {
        this.take(t, event);
        return;
      }
    }
  }

  private take(t: Transition, event: MachineEvent): void {
    const acts = t.actions;
    if (t.target < 0 || (t.target === this.state && !t.reenter)) {
      for (let k = 0; k < acts.length; k++) acts[k]!(event);
      return;
    }
    const exit = this.m.states[this.state]!.exit;
    this.cancelTimers();
    for (let k = 0; k < exit.length; k++) exit[k]!(event);
    for (let k = 0; k < acts.length; k++) acts[k]!(event);
    this.state = t.target;
    this.table = this.m.states[t.target]!.table;
    this.enter(t.target, event);
  }

  private enter(i: number, event: MachineEvent): void {
    const st = this.m.states[i]!;
    const entry = st.entry;
    for (let k = 0; k < entry.length; k++) entry[k]!(event);
    if (st.after.length === 0) return;
    const epoch = ++this.epoch;
    for (let k = 0; k < st.after.length; k++) {
      this.timers.push(this.clock.call(this, 'afterFired', st.after[k]!.delayMs(event), { epoch, state: i, delay: k }));
    }
  }

  /** A delayed transition's time came (a kernel timer). */
  afterFired(arg: { epoch: number; state: number; delay: number }): void {
    if (this.epoch !== arg.epoch || this.state !== arg.state) return;
    const st = this.m.states[arg.state]!;
    const d = st.after[arg.delay]!;
    const ev = { type: d.eventType };
    const t = pick(st.on.get(d.eventType), ev);
    if (t) this.take(t, ev);
  }

  private cancelTimers(): void {
    this.epoch++;
    const timers = this.timers;
    if (timers.length === 0) return;
    for (let k = 0; k < timers.length; k++) this.clock.cancel(timers[k]);
    timers.length = 0;
  }
}

function pick(ts: Transition[] | undefined, event: MachineEvent): Transition | null {
  if (!ts) return null;
  for (let k = 0; k < ts.length; k++) {
    const t = ts[k]!;
    if (t.guard === null || t.guard(event)) return t;
  }
  return null;
}
