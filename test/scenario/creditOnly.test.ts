// Under SEDF a credit weight or cap, Opt A and Opt B would do nothing: the
// scenario is refused naming the field, not run as if they were not there.
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { ALL_WRITTEN } from '../../src/scenario/model.ts';
import { MODELS } from '../../src/scenario/registry.ts';

const check = (file: string, sets: string[]) => {
  const sc = loadScenario(file, { sets })[0]!.scenario;
  MODELS[sc.model]!.check?.(sc, file, ALL_WRITTEN);
};
const FIG3 = 'scenarios/paper/fig3-domu.yaml';
const SEDF = 'net.scheduler.policy=sedf';

describe('credit-only settings under SEDF', () => {
  it.each([
    [[SEDF, 'net.domu.cap=10'], /net\.domu\.cap: a credit cap belongs to the credit scheduler/],
    [[SEDF, 'net.dom0.weight=512'], /net\.dom0\.weight: a credit weight/],
    [[SEDF, 'net.scheduler.cacheAware=true'], /net\.scheduler\.cacheAware: Opt A/],
    [[SEDF, 'net.scheduler.creditSteal=true'], /net\.scheduler\.creditSteal: Opt B/],
    [[SEDF, 'net.optimizations=["A","C","D"]'], /net\.optimizations: Opt A extends the credit scheduler; under SEDF .* only C and D apply/],
    // sched_credit.c's timing has no meaning to SEDF, which has no tick (it ran as if they were not there).
    [[SEDF, 'net.scheduler.tick=5ms'], /net\.scheduler\.tick: the credit tick .* leave it at 10ms$/],
    [[SEDF, 'net.scheduler.ticksPerSlice=1'], /net\.scheduler\.ticksPerSlice: credit ticks per slice/],
    [[SEDF, 'net.scheduler.ticksPerAcct=1'], /net\.scheduler\.ticksPerAcct: credit ticks per accounting period/],
    [[SEDF, 'net.scheduler.creditsPerTick=50'], /net\.scheduler\.creditsPerTick: credits per tick/],
    [[SEDF, 'net.scheduler.ioThreshold=10'], /net\.scheduler\.ioThreshold: the I\/O threshold/],
  ])('%j is an error naming the field', (sets, message) => {
    expect(() => check(FIG3, sets)).toThrow(message);
  });

  it('the same settings under credit, and C and D under SEDF, are fine', () => {
    expect(() => check(FIG3, ['net.domu.cap=10', 'net.scheduler.cacheAware=true', 'net.optimizations=["A","B"]'])).not.toThrow();
    expect(() => check(FIG3, [SEDF, 'net.optimizations=["C","D"]'])).not.toThrow();
    expect(() => check('scenarios/paper/fig5-sedf.yaml', [])).not.toThrow();
  });

  it('the xen model and fleets check their domains too', () => {
    expect(() => check('scenarios/sched/balance-sedf.yaml', ['xen.hosts.0.domains.1.cap=50'])).toThrow(/xen\.hosts\.0\.domains\.1\.cap: a credit cap/);
    expect(() => check('scenarios/sched/balance-sedf.yaml', ['xen.hosts.0.scheduler.tick=1ms'])).toThrow(/xen\.hosts\.0\.scheduler\.tick: the credit tick/);
    expect(() => check('scenarios/sched/balance-sedf.yaml', ['xen.hosts.0.scheduler.tick=10ms', 'xen.hosts.0.scheduler.ticksPerAcct=3'])).not.toThrow();
    expect(() => check('scenarios/sched/balance-credit.yaml', ['xen.hosts.0.scheduler.tick=1ms', 'xen.hosts.0.scheduler.ioThreshold=10'])).not.toThrow();
    expect(() => check('scenarios/scale/rack-16x16.yaml', [SEDF, 'net.fleet.domuTemplates.guest.weight=512'])).toThrow(/net\.fleet\.domuTemplates\.guest\.weight: a credit weight/);
    expect(() => check('scenarios/scale/rack-16x16.yaml', [SEDF, 'net.fleet.hostTemplates.clovertown.dom0.cap=50'])).toThrow(/net\.fleet\.hostTemplates\.clovertown\.dom0\.cap: a credit cap/);
  });
});
