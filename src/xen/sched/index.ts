// Policy registry: adding a policy is one file plus one line here.
import { CacheAwareCredit } from './cacheAware.ts';
import { CreditPolicy } from './credit.ts';
import type { CreditParams } from './creditParams.ts';
import type { SchedPolicy } from './policy.ts';
import { SedfPolicy } from './sedf.ts';

export interface SchedulerSpec {
  policy: 'credit' | 'sedf';
  credit: CreditParams;
  /** Opt A (paper §5.1). */
  cacheAware?: boolean;
  /** Opt B (paper §5.2). */
  creditSteal?: boolean;
  /** I/O events per period that mark an I/O VCPU pair (paper: 150). */
  ioThreshold?: number;
}

export function makePolicy(spec: SchedulerSpec): SchedPolicy {
  switch (spec.policy) {
    case 'credit':
      if (spec.cacheAware || spec.creditSteal) {
        return new CacheAwareCredit(spec.credit, { threshold: spec.ioThreshold ?? 150 }, { cacheAware: spec.cacheAware ?? false, creditSteal: spec.creditSteal ?? false });
      }
      return new CreditPolicy(spec.credit);
    case 'sedf':
      return new SedfPolicy();
  }
}
