// V8's optimizing compiler, tuned for a simulation that must be fast from its
// first virtual millisecond. A run's first few hundred wall milliseconds go to
// warming the JIT: the model's code runs interpreted until TurboFan has
// compiled it, and TurboFan inlines polymorphic call chains (work sources →
// NAPI devices → TCP → kernel) up to 920 bytes of bytecode per function, so
// compiling the hot functions of fig3-domu took more background CPU than the
// simulation itself (≈1.6 s against ≈0.9 s on the shared 2-core machine),
// delaying optimized code and competing with the simulation thread for the
// second core. Capping the cumulative inlining at 400 bytes halves that compile
// work; the steady-state speed is unchanged (measured, same sitting): the
// first run of fig3-domu ≈ 20% shorter. Only speed changes: the compiler's
// choices never change what the JavaScript computes.
import v8 from 'node:v8';

/** The flags, once per process (V8 flags are process-wide: every worker thread shares them). */
export const JIT_FLAGS = ['--max-inlined-bytecode-size-cumulative=400'] as const;

let tuned = false;

/** Apply JIT_FLAGS (idempotent). Call before the model's code gets hot: a partition task's start is early enough. */
export function tuneJit(): void {
  if (tuned || process.env.VIOEMU_JIT_DEFAULTS === '1') return;
  tuned = true;
  for (const f of JIT_FLAGS) v8.setFlagsFromString(f);
}
