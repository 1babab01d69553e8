// Xen 3.1 credit1 constants (xen/common/sched_credit.c): inputs, overridable per scenario.
export interface CreditParams {
  /** CSCHED_MSECS_PER_TICK = 10 ms. */
  tickNs: number;
  /** CSCHED_TICKS_PER_TSLICE = 3 → 30 ms slices. */
  ticksPerSlice: number;
  /** CSCHED_TICKS_PER_ACCT = 3 → accounting every 30 ms. */
  ticksPerAcct: number;
  /** CSCHED_CREDITS_PER_TICK = 100. */
  creditsPerTick: number;
}

export const XEN31_CREDIT: CreditParams = { tickNs: 10_000_000, ticksPerSlice: 3, ticksPerAcct: 3, creditsPerTick: 100 };
