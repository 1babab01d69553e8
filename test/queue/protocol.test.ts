// What travels through Redis: points and results survive the encoding exactly;
// --queue URLs are checked before anything connects.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/usage.ts';
import { parseQueueUrl } from '../../src/queue/connection.ts';
import { codeId, decodePoint, decodeResult, encodePoint, encodeResult, newQueueName, sameData } from '../../src/queue/protocol.ts';
import { failedResult } from '../../src/queue/sweep.ts';
import type { RunResult } from '../../src/run/result.ts';
import { loadScenario } from '../../src/scenario/load.ts';

describe('job encoding', () => {
  it.each(['scenarios/paper/fig12-txqueuelen.yaml', 'scenarios/kernel/ring.yaml', 'scenarios/sched/balance-credit.yaml'])('every point of %s decodes to the same data, key order included', (file) => {
    for (const p of loadScenario(file)) {
      const back = decodePoint(encodePoint(p));
      expect(sameData(back, p)).toBe(true);
      expect(JSON.stringify(back)).toBe(JSON.stringify(p));
    }
  });

  it('results keep Infinity, undefined fields and key order', () => {
    const r = { scenario: 's', model: 'ring', point: '', interrupted: false, x: undefined, threads: { lookaheadNs: Infinity } } as unknown as RunResult;
    const back = decodeResult(encodeResult(r));
    expect(Object.keys(back)).toEqual(Object.keys(r));
    expect(back.threads.lookaheadNs).toBe(Infinity);
    expect('x' in back).toBe(true);
  });

  it('sameData: key order matters, 0 equals -0, NaN equals NaN', () => {
    expect(sameData({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameData({ a: [0, NaN] }, { a: [-0, NaN] })).toBe(true);
    expect(sameData([1], { 0: 1 })).toBe(false);
    expect(sameData(new Map(), {})).toBe(false);
  });

  it('a point that would not survive the encoding is refused before anything is queued', () => {
    const [p] = loadScenario('scenarios/kernel/ring.yaml');
    const bad = { ...p!, scenario: { ...p!.scenario, extra: new Map([[1, 2]]) } };
    expect(() => encodePoint(bad)).toThrow(/does not survive msgpack encoding/);
  });

  it('a failed job reads like a failed local run: interrupted, error after it, wall fields zero', () => {
    const [p] = loadScenario('scenarios/kernel/ring.yaml', { sets: ['sweep={ring.hosts: [2]}'] });
    const r = failedResult(p!, 'queue job failed on w:1: boom');
    const keys = Object.keys(r);
    expect(keys.indexOf('error')).toBe(keys.indexOf('interrupted') + 1);
    expect(r).toMatchObject({ scenario: 'kernel-ring', point: 'ring.hosts=2', interrupted: true, error: 'queue job failed on w:1: boom', events: 0, wallSeconds: 0 });
  });

  it('queue names are unique per invocation; the code id is stable', () => {
    expect(newQueueName()).not.toBe(newQueueName());
    expect(newQueueName(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toMatch(/^run-20260102T030405Z-[0-9a-f]{8}$/);
    expect(codeId()).toEqual(codeId());
    expect(codeId().source).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('--queue URL', () => {
  it('reads host, port, database and credentials; shows the URL without them', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6380')).toMatchObject({ host: '127.0.0.1', port: 6380, db: 0, tls: false, shown: 'redis://127.0.0.1:6380' });
    expect(parseQueueUrl('rediss://u:p%40ss@redis.lan/3')).toMatchObject({ host: 'redis.lan', port: 6379, db: 3, username: 'u', password: 'p@ss', tls: true, shown: 'rediss://redis.lan/3' });
    expect(parseQueueUrl('redis://[::1]:7000').host).toBe('::1');
  });

  it.each([
    ['http://127.0.0.1:6379', /unsupported scheme "http"/],
    ['redis://', /no host/],
    ['127.0.0.1:6379', /unsupported scheme|not a URL/],
    ['redis://h:99999', /port out of range/],
    ['redis://h:1/x', /database number/],
    ['redis://h:1/?db=1', /query/],
    ['', /not a URL/],
  ])('%j is a usage error', (url, why) => {
    expect(() => parseQueueUrl(url)).toThrow(UsageError);
    expect(() => parseQueueUrl(url)).toThrow(why);
  });
});
