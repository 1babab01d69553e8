// Settings only the credit scheduler has. Xen 3.1's SEDF schedules by period,
// slice and extratime (sched_sedf.c); a domain's credit weight and cap, and the
// paper's Opt A and Opt B (extensions of sched_credit.c), mean nothing to it. A
// scenario that sets them under SEDF gets an error naming the field, not a run
// that quietly ignores them.
import { ScenarioError } from './errors.ts';
import { creditCap, creditWeight } from './fields.ts';
import { CREDIT_TICK_DEFAULT, schedulerSchema } from './xenSchema.ts';

/** What a scenario that leaves them out gets: the schemas' own defaults, so the two cannot drift apart. */
const SCHEDULER_UNSET = schedulerSchema.parse({});
const WEIGHT_UNSET = creditWeight.parse(undefined);
const CAP_UNSET = creditCap.parse(undefined);

export interface CreditSetting {
  path: string;
  value: unknown;
  /** The value that asks for nothing (the default). */
  unset: unknown;
  /** How to write the unset value, when not as JSON (a duration). */
  unsetText?: string;
  what: string;
}

export function checkCreditOnly(file: string, policy: 'credit' | 'sedf', settings: readonly CreditSetting[]): void {
  if (policy !== 'sedf') return;
  for (const s of settings) {
    if (s.value === s.unset) continue;
    throw new ScenarioError(file, s.path, `${s.what} belongs to the credit scheduler; SEDF (scheduler policy sedf) schedules by period, slice and extratime and would ignore it — leave it at ${s.unsetText ?? JSON.stringify(s.unset)}`);
  }
}

/**
 * The scheduler section's credit-only settings: Opt A and B, their I/O threshold, and sched_credit.c's tick,
 * slice, accounting period and credits per tick (SEDF has no tick: sedf_do_schedule sets its own timer).
 */
export function schedulerCreditSettings(
  prefix: string,
  s: { cacheAware: boolean; creditSteal: boolean; tick: number; ticksPerSlice: number; ticksPerAcct: number; creditsPerTick: number; ioThreshold: number },
): CreditSetting[] {
  return [
    { path: `${prefix}.cacheAware`, value: s.cacheAware, unset: SCHEDULER_UNSET.cacheAware, what: 'Opt A (cache-aware placement)' },
    { path: `${prefix}.creditSteal`, value: s.creditSteal, unset: SCHEDULER_UNSET.creditSteal, what: 'Opt B (credit stealing)' },
    { path: `${prefix}.ioThreshold`, value: s.ioThreshold, unset: SCHEDULER_UNSET.ioThreshold, what: 'the I/O threshold of Opts A and B' },
    { path: `${prefix}.tick`, value: s.tick, unset: SCHEDULER_UNSET.tick, unsetText: CREDIT_TICK_DEFAULT, what: 'the credit tick (CSCHED_MSECS_PER_TICK)' },
    { path: `${prefix}.ticksPerSlice`, value: s.ticksPerSlice, unset: SCHEDULER_UNSET.ticksPerSlice, what: 'credit ticks per slice (CSCHED_TICKS_PER_TSLICE)' },
    { path: `${prefix}.ticksPerAcct`, value: s.ticksPerAcct, unset: SCHEDULER_UNSET.ticksPerAcct, what: 'credit ticks per accounting period (CSCHED_TICKS_PER_ACCT)' },
    { path: `${prefix}.creditsPerTick`, value: s.creditsPerTick, unset: SCHEDULER_UNSET.creditsPerTick, what: 'credits per tick (CSCHED_CREDITS_PER_TICK)' },
  ];
}

/** A domain's credit weight and cap. */
export function domainCreditSettings(prefix: string, d: { weight: number; cap: number }): CreditSetting[] {
  return [
    { path: `${prefix}.weight`, value: d.weight, unset: WEIGHT_UNSET, what: 'a credit weight' },
    { path: `${prefix}.cap`, value: d.cap, unset: CAP_UNSET, what: 'a credit cap' },
  ];
}

/**
 * csched_acct parks a capped VCPU once its credit is below −(its share of the cap's credits per
 * accounting period), but first clips credit at −CSCHED_CREDITS_PER_TSLICE. Xen 3.1 has the two periods
 * equal (3 ticks each); with accounting periods longer than a slice the clip comes first and a cap is
 * never enforced, so a scenario with a cap must keep ticksPerAcct <= ticksPerSlice.
 */
export function checkCapAccounting(
  file: string,
  schedulerPath: string,
  s: { policy: 'credit' | 'sedf'; ticksPerSlice: number; ticksPerAcct: number },
  domains: readonly CreditSetting[],
): void {
  if (s.policy !== 'credit' || s.ticksPerAcct <= s.ticksPerSlice) return;
  const capped = domains.find((d) => d.path.endsWith('.cap') && d.value !== 0);
  if (!capped) return;
  throw new ScenarioError(
    file,
    `${schedulerPath}.ticksPerAcct`,
    `${s.ticksPerAcct} ticks per accounting period with ${s.ticksPerSlice} per slice would leave ${capped.path} (${String(capped.value)}) unenforced: csched_acct clips credit at −(credits per slice) before the cap's debt parks a VCPU (Xen 3.1: 3 and 3); want ticksPerAcct <= ticksPerSlice`,
  );
}
