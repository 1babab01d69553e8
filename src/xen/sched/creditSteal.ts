// Opt B, credit stealing for I/O VCPUs in Dom0 (paper §5.2), switchable on its
// own: the credit policy with I/O-pair detection and, after each accounting,
// idle VCPUs' credit halved and handed to the domain's I/O VCPUs. The
// arithmetic lives in CacheAwareCredit.stealCredit so A and B combine.
import { CacheAwareCredit } from './cacheAware.ts';
import type { CreditParams } from './creditParams.ts';
import type { IoDetectParams } from './ioDetect.ts';

export function creditStealPolicy(params: CreditParams, detect: IoDetectParams, cacheAware = false): CacheAwareCredit {
  return new CacheAwareCredit(params, detect, { cacheAware, creditSteal: true });
}
