// A resumed run's /metrics: before the partitions' first flush (building and
// restoring the hosts takes seconds for a fleet) the run-level series must
// already read the checkpoint's virtual time and events, not 0 — a scrape of 0
// is a counter reset (Prometheus' increase() then counts every event before
// the checkpoint again) and a virtual clock going back (deriv() < 0). At the
// end, vioemu_events_total still equals the result's events (no double count).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunMetrics, Execution } from '../../src/run/execute.ts';
import { resumeInput, runWithCheckpoints } from '../helpers/checkpointed.ts';

const tmp = mkdtempSync(join(tmpdir(), 'vioemu-resume-core-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const value = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('a resumed run exposes its virtual time and events from the start', () => {
  beforeAll(async () => {
    await runWithCheckpoints(['scenarios/soak/fleet-soak.yaml', '--duration', '400ms'], tmp, '200ms');
  }, 120_000);

  it.each([1, 2])('on %i partition(s)', async (workers) => {
    const { point, restore } = resumeInput(tmp);
    expect(restore.instantNs).toBe(200e6);
    expect(restore.eventsBase).toBeGreaterThan(0);
    const metrics = await createRunMetrics('net');
    const running = new Execution().run([point], { workers, partitionBy: 'hosts', metrics, restore });
    // No worker message can have arrived yet (they are macrotasks; this awaits only microtasks).
    const early = await metrics.text();
    expect(value(early, 'vioemu_virtual_time_seconds')).toBe(0.2);
    expect(value(early, 'vioemu_events_total')).toBe(restore.eventsBase);
    const [out] = await running;
    expect(out!.result.threads.partitions).toBe(workers);
    const late = await metrics.text();
    expect(value(late, 'vioemu_virtual_time_seconds')).toBe(0.4);
    expect(value(late, 'vioemu_events_total')).toBe(out!.result.events);
  }, 120_000);
});
