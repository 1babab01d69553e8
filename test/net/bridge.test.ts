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

  it('a frame from a known MAC refreshes its entry (and moves it to the new port): ageing counts from the last frame', () => {
    const fdb = new ForwardingDb(256, 300e9, 1);
    fdb.learn(0x0016, 0x3e000001, 2, 0);
    expect(fdb.learn(0x0016, 0x3e000001, 3, 200e9)).toBe(false);
    // 400 s after it was first learned but 200 s after the refresh: still there, on the new port.
    expect(fdb.lookup(0x0016, 0x3e000001, 400e9)).toBe(3);
    expect(fdb.age(400e9)).toBe(0);
    expect(fdb.size).toBe(1);
    // 300 s after the refresh and 1 ns more: gone, for lookups before the cleanup too.
    expect(fdb.lookup(0x0016, 0x3e000001, 500e9 + 1)).toBeNull();
    expect(fdb.age(500e9 + 1)).toBe(1);
    expect(fdb.aged).toBe(1);
    expect(fdb.learned).toBe(1);
  });

  it('the cleanup drops only the entries older than the ageing time', () => {
    const fdb = new ForwardingDb(256, 300e9, 1);
    fdb.learn(0x0016, 0x3e000001, 1, 0);
    fdb.learn(0x0016, 0x3e000002, 2, 100e9);
    expect(fdb.lookup(0x0016, 0x3e000001, 300e9 - 1)).toBe(1);
    expect(fdb.age(350e9)).toBe(1);
    expect(fdb.lookup(0x0016, 0x3e000001, 350e9)).toBeNull();
    expect(fdb.lookup(0x0016, 0x3e000002, 350e9)).toBe(2);
    expect(fdb.size).toBe(1);
  });

  it('jhash is deterministic and spreads MACs over buckets', () => {
    expect(jhash3words(1, 2, 3, 4)).toBe(jhash3words(1, 2, 3, 4));
    const buckets = new Set<number>();
    for (let i = 0; i < 1000; i++) buckets.add(jhash3words(0x0016, i, 0, 7) % 256);
    expect(buckets.size).toBeGreaterThan(200);
  });

  it('an entry expires at exactly its ageing time, as has_expired (time_before_eq) has it, not one tick later', () => {
    const fdb = new ForwardingDb(256, 300e9, 1);
    fdb.learn(0x0016, 0x3e000001, 2, 0);
    expect(fdb.lookup(0x0016, 0x3e000001, 300e9 - 1)).toBe(2);
    expect(fdb.lookup(0x0016, 0x3e000001, 300e9)).toBeNull();
    expect(fdb.age(300e9 - 1)).toBe(0);
    expect(fdb.age(300e9)).toBe(1);
  });
});
