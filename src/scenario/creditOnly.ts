// Settings only the credit scheduler has. Xen 3.1's SEDF schedules by period,
// slice and extratime (sched_sedf.c); a domain's credit weight and cap, and the
// paper's Opt A and Opt B (extensions of sched_credit.c), mean nothing to it. A
// scenario that sets them under SEDF gets an error naming the field, not a run
// that quietly ignores them.
import { ScenarioError } from './errors.ts';

export interface CreditSetting {
  path: string;
  value: unknown;
  /** The value that asks for nothing (the default). */
  unset: unknown;
  what: string;
}

export function checkCreditOnly(file: string, policy: 'credit' | 'sedf', settings: readonly CreditSetting[]): void {
  if (policy !== 'sedf') return;
  for (const s of settings) {
    if (s.value === s.unset) continue;
    throw new ScenarioError(file, s.path, `${s.what} belongs to the credit scheduler; SEDF (scheduler policy sedf) schedules by period, slice and extratime and would ignore it — leave it at ${JSON.stringify(s.unset)}`);
  }
}

/** The scheduler section's credit-only switches. */
export function schedulerCreditSettings(prefix: string, s: { cacheAware: boolean; creditSteal: boolean }): CreditSetting[] {
  return [
    { path: `${prefix}.cacheAware`, value: s.cacheAware, unset: false, what: 'Opt A (cache-aware placement)' },
    { path: `${prefix}.creditSteal`, value: s.creditSteal, unset: false, what: 'Opt B (credit stealing)' },
  ];
}

/** A domain's credit weight and cap. */
export function domainCreditSettings(prefix: string, d: { weight: number; cap: number }): CreditSetting[] {
  return [
    { path: `${prefix}.weight`, value: d.weight, unset: 256, what: 'a credit weight' },
    { path: `${prefix}.cap`, value: d.cap, unset: 0, what: 'a credit cap' },
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
