import { describe, expect, it } from 'vitest';
import { ForwardingDb } from '../../src/net/bridge.ts';
import { jhash3words } from '../../src/net/jhash.ts';

describe('bridge forwarding database', () => {
  it('learns, looks up and ages entries out after the ageing time', () => {
    const fdb = new ForwardingDb(256, 300e9, 1);
    expect(fdb.learn(0x0016, 0x3e000001, 2, 0)).toBe(true);
    expect(fdb.learn(0x0016, 0x3e000001, 2, 10)).toBe(false);
    expect(fdb.lookup(0x0016, 0x3e000001, 20)).toBe(2);
    expect(fdb.lookup(0x0016, 0x3e000002, 20)).toBeNull();
    expect(fdb.age(301e9)).toBe(1);
    expect(fdb.size).toBe(0);
  });

  it('jhash is deterministic and spreads MACs over buckets', () => {
    expect(jhash3words(1, 2, 3, 4)).toBe(jhash3words(1, 2, 3, 4));
    const buckets = new Set<number>();
    for (let i = 0; i < 1000; i++) buckets.add(jhash3words(0x0016, i, 0, 7) % 256);
    expect(buckets.size).toBeGreaterThan(200);
  });
});
