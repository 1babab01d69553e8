// netif_be_int's scheduling of net_tx_tasklet (netback.c, Xen 3.1):
// maybe_schedule_tx_action schedules it only while fewer than
// MAX_PENDING_REQS/2 requests are pending; otherwise the vif waits on
// net_schedule_list until a released skb schedules the tasklet
// (netif_idx_release → tasklet_schedule).
import { describe, expect, it } from 'vitest';
import { NetbackSoftirqs, type NetbackCpu, type NetbackLookups } from '../../src/net/netbackSoftirqs.ts';
import type { NetbackVif } from '../../src/net/netback.ts';
import type { VcpuRt, XenHost } from '../../src/xen/host.ts';
import type { WorkContext } from '../../src/xen/work.ts';

const ctx: WorkContext = { nowNs: 0, pcpu: 0 };

function setup(fewPending: (() => boolean) | undefined) {
  const v = { id: 0 } as VcpuRt;
  const cpu: NetbackCpu = { v, qdiscRuns: [], irqs: [], copies: 0 };
  const notified: number[] = [];
  const lookups = {
    host: { notify: (id: number) => notified.push(id) } as unknown as XenHost,
    costs: { eventChannelCycles: 1500 },
    vifEvtchnV: [v],
    vif: () => ({ maybeWake: () => false }) as unknown as NetbackVif,
    hasTxRequests: () => true,
    armTx: () => {},
    fewPendingReqs: fewPending,
  } as unknown as NetbackLookups;
  const nb = new NetbackSoftirqs([cpu], lookups);
  const irq = nb.irqSource(cpu);
  const txAction = nb.txActionSource(cpu, () => ({ parts: [], data: null }), () => {}, () => true);
  /** The guest notifies its vif; netif_be_int runs on the vif's event-channel VCPU. */
  const beInt = () => {
    nb.guestNotify(0, v);
    const item = irq.take(ctx)!;
    irq.complete(item, ctx);
  };
  return { nb, cpu, txAction, beInt };
}

describe("netback's netif_be_int", () => {
  it('schedules net_tx_tasklet while fewer than half of the pending slots are in use', () => {
    const { txAction, beInt } = setup(() => true);
    beInt();
    expect(txAction.pending()).toBe(true);
  });

  it('leaves it to a released skb when half of the pending slots or more are in use', () => {
    let few = false;
    const { nb, cpu, txAction, beInt } = setup(() => few);
    beInt();
    expect(txAction.pending()).toBe(false);
    // netif_idx_release: the vif stayed on net_schedule_list, so the tasklet the release schedules serves it.
    few = true;
    nb.scheduleTxAction(cpu);
    expect(txAction.pending()).toBe(true);
  });

  it('schedules it unconditionally where the model keeps no pending count (the paper path)', () => {
    const { txAction, beInt } = setup(undefined);
    beInt();
    expect(txAction.pending()).toBe(true);
  });
});

describe("a fleet's net_tx_action reschedules itself as netif_schedule_work does", () => {
  it('below MAX_PENDING_REQS/2 pending when its requests were taken, whatever the pass ends with', async () => {
    const { maybeScheduleTxAction } = await import('../../src/net/fleet/dom0Fleet.ts');
    // A pass that began with 110 pending took requests while fewer than 128 were pending: it runs again
    // even though it ended with all 238 in use (the old rule, "fewer than 238 after the pass", left it to a release).
    expect(maybeScheduleTxAction(110, 256)).toBe(true);
    expect(maybeScheduleTxAction(127, 256)).toBe(true);
    expect(maybeScheduleTxAction(128, 256)).toBe(false);
    expect(maybeScheduleTxAction(238, 256)).toBe(false);
  });
});
