// zod building blocks shared by scenario sections: durations, integer ns, ...
import { z } from 'zod';
import { parseDurationNs } from '../kernel/time.ts';

/** A duration: "10s", "250ms", "20us" or an integer number of ns; parsed to integer ns. */
export const durationNs = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === 'number' && v < 0) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must not be negative, got ${v}` });
    return z.NEVER;
  }
  if (typeof v === 'string' && v.trim().startsWith('-')) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must not be negative, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  const ns = parseDurationNs(v);
  if (ns === null) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a duration: ${JSON.stringify(v)} (use e.g. 10s, 250ms, 20us or integer ns)` });
    return z.NEVER;
  }
  return ns;
});

export const nonNegInt = z.number().int().nonnegative();
export const posInt = z.number().int().positive();
export const fraction = z.number().min(0).max(1);
