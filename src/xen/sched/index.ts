// Policy registry: adding a policy is one file plus one line here.
import { CreditPolicy } from './credit.ts';
import type { CreditParams } from './creditParams.ts';
import type { SchedPolicy } from './policy.ts';
import { SedfPolicy } from './sedf.ts';

export interface SchedulerSpec {
  policy: 'credit' | 'sedf';
  credit: CreditParams;
}

export function makePolicy(spec: SchedulerSpec): SchedPolicy {
  switch (spec.policy) {
    case 'credit':
      return new CreditPolicy(spec.credit);
    case 'sedf':
      return new SedfPolicy();
  }
}
