// Congestion-control policies by name; adding one is a file plus a line here.
import type { CongestionControl, CongestionName } from './congestion.ts';
import { bic } from './bic.ts';
import { cubic } from './cubic.ts';
import { newReno } from './newreno.ts';

const FACTORIES: Record<CongestionName, () => CongestionControl> = {
  newreno: newReno,
  cubic: () => cubic(),
  bic,
};

/** A fresh policy instance (policies keep per-connection state). */
export function createCongestion(name: CongestionName): CongestionControl {
  const make = FACTORIES[name];
  if (!make) throw new Error(`unknown congestion control '${String(name)}' (known: ${Object.keys(FACTORIES).join(', ')})`);
  return make();
}
