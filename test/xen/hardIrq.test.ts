// Hard IRQs nest as Linux nests them: a process item under a softirq item
// under a handler. Every item taken completes exactly once with the cycles
// it asked for, whatever the IRQs interrupt; an upcall that arrives while the
// VCPU is descheduled runs first when it is picked again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sim } from '../../src/kernel/sim.ts';
import { XenHost, type DomainSpec } from '../../src/xen/host.ts';
import { xenMetricDefs } from '../../src/xen/metricsDefs.ts';
import { CreditPolicy } from '../../src/xen/sched/credit.ts';
import { GuestWork, SOFTIRQ, work, type WorkItem, type WorkSource } from '../../src/xen/work.ts';
import { attachWorkload } from '../../src/xen/workloads.ts';

const ctx = { nowNs: 0, pcpu: 0 };
const dom = (name: string, pcpu = 0): DomainSpec => ({ name, weight: 256, cap: 0, vcpus: 1, affinity: [null], placement: [pcpu], sedf: { periodNs: 20_000_000, sliceNs: 5_000_000, extratime: true } });

/** One PCPU at 2 GHz, no context-switch cost unless asked, domains 'a' (idle) and any others given. */
function oneCpuHost(ctxCycles: number, others: { name: string; hog?: boolean }[] = []) {
  const sim = new Sim({ seed: 7 });
  sim.metrics.define(xenMetricDefs);
  const h = new XenHost(sim, 0, { name: 'h', topology: { sockets: 1, l2PerSocket: 1, coresPerL2: 1, clockGHz: 2 }, costs: { contextSwitchCycles: ctxCycles }, domains: [dom('a'), ...others.map((o) => dom(o.name))] }, new CreditPolicy(), { trace: false, perVcpuMetrics: false });
  attachWorkload(sim, h, 'a', { kind: 'idle' }, 4096);
  others.forEach((o, i) => attachWorkload(sim, h, o.name, o.hog ? { kind: 'cpu-hog', chunkCycles: 1_000_000_000 } : { kind: 'idle' }, 4096 + 64 * (i + 1)));
  const v = h.vcpus[0]!;
  const done: Record<string, number> = {};
  /** A source of `cycles`-long items that records when each completes. */
  const source = (name: string, softirq: number, cycles: number, pending: () => boolean, taken: () => void, workClass?: 'process'): WorkSource<null> => {
    const s: WorkSource<null> = { name, softirq, workClass, pending, take: () => (taken(), work(s, name, cycles, 0, null)), complete: () => (done[name] = sim.nowNs) };
    return s;
  };
  return { sim, h, v, done, source };
}

describe('a notification to a running VCPU', () => {
  it("preempts its item: the hard-IRQ handler runs at once and the item finishes later by the handler's cycles", () => {
    const { sim, h, v, done, source } = oneCpuHost(4000);
    let irq = false;
    let reads = 1;
    v.guest.addSource(source('reader', SOFTIRQ.TASKLET, 2_000_000, () => reads > 0, () => reads--, 'process')); // 1 ms at 2 GHz
    v.guest.addSource(source('upcall', SOFTIRQ.HARDIRQ, 20_000, () => irq, () => (irq = false))); // 10 µs
    h.notify(v.id, null);
    sim.runUntil(100_000);
    sim.advanceTo(100_000);
    irq = true;
    h.notify(v.id, null);
    sim.runUntil(10_000_000);
    // The first pick loads the VCPU: its context switch (2 µs) comes before the read.
    expect(done.upcall).toBe(110_000);
    expect(done.reader).toBe(2_000 + 1_000_000 + 10_000);
  });
});

describe('nested hard IRQs', () => {
  it('a second IRQ, preempting the softirq the first one raised, leaves the preempted process item to resume last', () => {
    const g = new GuestWork();
    let irq = false;
    let rx = false;
    let reads = 1;
    const src = (name: string, softirq: number, pending: () => boolean, after: () => void, workClass?: 'process'): WorkSource<null> => {
      const s: WorkSource<null> = { name, softirq, workClass, pending, take: () => (after(), work(s, name, 100, 0, null)), complete: () => {} };
      return s;
    };
    g.addSource(src('hi', SOFTIRQ.HARDIRQ, () => irq, () => ((irq = false), (rx = true))));
    g.addSource(src('net_rx', SOFTIRQ.NET_RX, () => rx, () => (rx = false)));
    g.addSource(src('reader', SOFTIRQ.TASKLET, () => reads > 0, () => reads--, 'process'));
    const readItem = g.takeNext(ctx)!;
    irq = true;
    g.suspendCurrent();
    expect(g.takeNext(ctx)!.source.name).toBe('hi');
    g.current = null;
    const rxItem = g.takeNext(ctx)!;
    expect(rxItem.source.name).toBe('net_rx');
    irq = true;
    expect(g.irqPreempts()).toBe(true);
    g.suspendCurrent();
    const order: WorkItem[] = [];
    for (let i = 0; i < 6; i++) {
      const it = g.takeNext(ctx);
      if (!it) break;
      order.push(it);
      g.current = null;
    }
    expect(order.map((x) => x.source.name)).toEqual(['hi', 'net_rx', 'net_rx', 'reader']);
    // The first net_rx after the handler is the preempted one; the next is what the second IRQ raised.
    expect(order[1]).toBe(rxItem);
    expect(order[3]).toBe(readItem);
    expect(g.wantsCpu()).toBe(false);
  });

  it('property: under random IRQs every item taken completes once, charged exactly its cycles', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 8000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 2_000, max: 200_000 }),
        (pcpus, ndom, ctxCycles, seed, irqEveryNs) => {
          const sim = new Sim({ seed });
          sim.metrics.define(xenMetricDefs);
          const domains = Array.from({ length: ndom }, (_, i) => dom(`d${i}`, i % pcpus));
          const h = new XenHost(sim, 0, { name: 'h', topology: { sockets: 1, l2PerSocket: 1, coresPerL2: pcpus, clockGHz: 2 }, costs: { contextSwitchCycles: ctxCycles }, domains }, new CreditPolicy(), { trace: false, perVcpuMetrics: false });
          const rng = sim.rng(99999);
          const open = new Set<WorkItem<number>>();
          const asked = new Map<string, number>();
          let doubles = 0;
          domains.forEach((_, i) => {
            attachWorkload(sim, h, `d${i}`, { kind: 'idle' }, 4096 + 64 * i);
            const v = h.vcpus[i]!;
            const st = { irq: 0, sirq: 0 };
            const mk = (name: string, softirq: number, pending: () => boolean, cyclesOf: () => number, workClass?: 'process'): WorkSource<number> => {
              const s: WorkSource<number> = {
                name, softirq, workClass, pending,
                take: () => {
                  const c = cyclesOf();
                  const item: WorkItem<number> = { parts: [{ component: name, cycles: c, packets: 1 }], source: s, data: c };
                  open.add(item);
                  return item;
                },
                complete: (item) => {
                  if (!open.delete(item as WorkItem<number>)) doubles++;
                  asked.set(name, (asked.get(name) ?? 0) + item.data);
                },
              };
              return s;
            };
            v.guest.addSource(mk('hi', SOFTIRQ.HARDIRQ, () => st.irq > 0, () => ((st.irq = 0), st.sirq++, 1000 + rng.int(5000))));
            v.guest.addSource(mk('sirq', SOFTIRQ.NET_RX, () => st.sirq > 0, () => (st.sirq--, 10_000 + rng.int(100_000))));
            v.guest.addSource(mk('proc', SOFTIRQ.TASKLET, () => true, () => 50_000 + rng.int(500_000), 'process'));
            const fire = () => {
              st.irq = 1;
              h.notify(v.id, null);
              sim.timer(h.localActorId(64 + i), 1 + rng.int(irqEveryNs), fire);
            };
            sim.timer(h.localActorId(64 + i), 1 + rng.int(irqEveryNs), fire);
            h.notify(v.id, null);
          });
          const endNs = 50_000_000;
          sim.runUntil(endNs);
          sim.advanceTo(endNs);
          h.finish(endNs);
          expect(doubles).toBe(0);
          // Still open at the end: per VCPU at most a process item, a softirq item and a handler.
          expect(open.size).toBeLessThanOrEqual(3 * ndom);
          // Charged = what the completed items asked for + part of the open ones (never more than they ask).
          const openCycles = new Map<string, number>();
          for (const it of open) openCycles.set(it.source.name, (openCycles.get(it.source.name) ?? 0) + it.data);
          for (const name of ['hi', 'sirq', 'proc']) {
            const charged = h.stats.components.get(name)?.cycles ?? 0;
            expect(charged).toBeGreaterThanOrEqual((asked.get(name) ?? 0) - 1e-6);
            expect(charged).toBeLessThanOrEqual((asked.get(name) ?? 0) + (openCycles.get(name) ?? 0) + 1e-6);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('an upcall that came while the VCPU was descheduled runs as soon as it is picked again', () => {
    const { sim, h, v, done, source: mk } = oneCpuHost(0, [{ name: 'b', hog: true }]);
    let irq = false;
    let reads = 1;
    v.guest.addSource(mk('reader', SOFTIRQ.TASKLET, 400_000_000, () => reads > 0, () => reads--, 'process')); // 200 ms
    v.guest.addSource(mk('upcall', SOFTIRQ.HARDIRQ, 20_000, () => irq, () => (irq = false)));
    h.notify(v.id, null);
    // Step until the reader has run and the hog's slice has taken the PCPU.
    let t = 1_000_000;
    let ran = false;
    for (; t < 150_000_000; t += 100_000) {
      sim.runUntil(t);
      sim.advanceTo(t);
      if (v.runState === 'running') ran = true;
      if (ran && v.runState === 'runnable') break;
    }
    expect(v.guest.current?.source.name).toBe('reader');
    irq = true;
    h.notify(v.id, null);
    let back = t;
    for (; back < 400_000_000; back += 10_000) {
      sim.runUntil(back);
      sim.advanceTo(back);
      if (v.runState === 'running') break;
    }
    sim.runUntil(1_000_000_000);
    expect(done.upcall! - back).toBeLessThan(20_000);
    expect(done.reader).toBeGreaterThan(done.upcall!);
  });
});
