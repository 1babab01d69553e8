// The /metrics server: GET and HEAD only, 404 elsewhere, one-line errors for
// a busy or bad port before the run, and a shutdown that waits for nobody.
import { createServer, type Server } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreMetricDefs } from '../../src/metrics/coreMetrics.ts';
import { RunMetrics } from '../../src/metrics/registry.ts';
import { describeListenError, serveMetrics, type MetricsServer } from '../../src/metrics/server.ts';
import { runCli } from '../helpers/cli.ts';

describe('serveMetrics', () => {
  let srv: MetricsServer;
  beforeAll(async () => {
    srv = await serveMetrics(new RunMetrics(coreMetricDefs), 0);
  });
  afterAll(() => srv.close());

  it('GET and HEAD answer 200; HEAD has no body', async () => {
    const get = await fetch(srv.url);
    expect(get.status).toBe(200);
    expect(await get.text()).toMatch(/vioemu_events_total/);
    const head = await fetch(srv.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await head.text()).toBe('');
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s /metrics is 405 with Allow', async (method) => {
    const r = await fetch(srv.url, { method, body: method === 'DELETE' ? undefined : 'x' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
  });

  it('other paths are 404, whatever the method', async () => {
    const base = srv.url.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metricsX`)).status).toBe(404);
    expect((await fetch(`${base}/other`, { method: 'POST', body: 'x' })).status).toBe(404);
    expect((await fetch(`${srv.url}?name[]=x`)).status).toBe(200);
  });
});

describe('shutdown', () => {
  it('close() ends half-open connections instead of waiting for them', async () => {
    const srv = await serveMetrics(new RunMetrics(coreMetricDefs), 0);
    const sock = connect(srv.port, '127.0.0.1');
    sock.on('error', () => {}); // the server resets it
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'); // headers never finished
    const ended = new Promise<void>((r) => sock.once('close', () => r()));
    await srv.close(); // used to wait for the headers timeout (minutes)
    await ended;
  });
});

describe('listen errors', () => {
  let blocker: Server;
  let busyPort = 0;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    busyPort = (blocker.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

  it('a port in use rejects with EADDRINUSE, described in one line', async () => {
    const e = (await serveMetrics(new RunMetrics(coreMetricDefs), busyPort).catch((x) => x)) as NodeJS.ErrnoException;
    expect(e.code).toBe('EADDRINUSE');
    expect(describeListenError(e, '127.0.0.1', busyPort)).toEqual({ flag: 'metrics-port', message: `port ${busyPort} on 127.0.0.1 is in use (pick another, or 0 for any free port)` });
  });

  it('vioemu run on a busy --metrics-port exits 2 in one line, before running', async () => {
    const r = await runCli(['run', 'scenarios/kernel/ring.yaml', '--duration', '10ms', '--metrics-port', String(busyPort)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([`vioemu: --metrics-port: port ${busyPort} on 127.0.0.1 is in use (pick another, or 0 for any free port)`]);
  });
});

describe('a run with metrics exits when it is done', () => {
  it('a client stuck half-way through its request headers does not hold the process', async () => {
    let stuck: ReturnType<typeof connect> | undefined;
    const r = await runCli(['run', 'scenarios/kernel/ring.yaml', '--duration', '20ms', '--metrics-port', '0', '--metrics-linger', '1'], {
      timeoutMs: 30_000, // before the fix: about 150 s
      onSpawn: (_kill, stderr) => {
        const poll = () => {
          const m = /metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(stderr());
          if (!m) return void setTimeout(poll, 50);
          stuck = connect(Number(m[1]), '127.0.0.1', () => stuck!.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'));
          stuck.on('error', () => {});
        };
        poll();
      },
    });
    stuck?.destroy();
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(stuck).toBeDefined();
  });
});
