import { describe, expect, it } from 'vitest';
import { Tasklet } from '../../src/net/tasklet.ts';

describe('tasklet (kernel/softirq.c)', () => {
  it('runs on the CPU that scheduled it; scheduling it again anywhere is a no-op until it runs', () => {
    const raised: string[] = [];
    const t = new Tasklet<string>('net_rx', (c) => raised.push(c));
    t.schedule('cpu0');
    t.schedule('cpu1');
    expect(t.pendingOn('cpu0')).toBe(true);
    expect(t.pendingOn('cpu1')).toBe(false);
    expect(raised).toEqual(['cpu0']);
  });

  it('scheduled by another CPU while it runs: that CPU runs it once this run ends', () => {
    const raised: string[] = [];
    const t = new Tasklet<string>('net_rx', (c) => raised.push(c));
    t.schedule('cpu0');
    t.begin();
    t.schedule('cpu1');
    expect(t.pendingOn('cpu1')).toBe(false); // still running on cpu0
    t.end();
    expect(t.pendingOn('cpu1')).toBe(true);
    expect(raised).toEqual(['cpu0', 'cpu1']);
  });
});
