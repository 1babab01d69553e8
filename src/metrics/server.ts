// Serves /metrics (GET and HEAD) while a run goes on (and for --metrics-linger
// after). Closing ends every connection, also half-open ones, so a finished
// run exits at once.
import { createServer, type Server } from 'node:http';
import type { RunMetrics } from './registry.ts';

export interface MetricsServer {
  host: string;
  port: number;
  /** http://host:port/metrics (IPv6 hosts in brackets). */
  url: string;
  close(): Promise<void>;
}

/** Why listening failed, in one line, and which flag it is about. */
export function describeListenError(e: NodeJS.ErrnoException, host: string, port: number): { flag: 'metrics-port' | 'metrics-host'; message: string } {
  switch (e.code) {
    case 'EADDRINUSE':
      return { flag: 'metrics-port', message: `port ${port} on ${host} is in use (pick another, or 0 for any free port)` };
    case 'EACCES':
    case 'EPERM':
      return { flag: 'metrics-port', message: `not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges)` };
    case 'ERR_SOCKET_BAD_PORT':
      return { flag: 'metrics-port', message: `want a port in 0..65535, got ${port}` };
    default:
      return { flag: 'metrics-host', message: `cannot listen on ${JSON.stringify(host)}: ${e.code ?? e.message}` };
  }
}

const ALLOWED = 'GET, HEAD';

export function serveMetrics(metrics: RunMetrics, port: number, host = '127.0.0.1'): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('vioemu: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: ALLOWED, 'content-type': 'text/plain' });
      res.end(`vioemu: /metrics answers ${ALLOWED}\n`);
      return;
    }
    metrics.text().then(
      (body) => {
        // For HEAD, Node sends the headers and drops the body.
        res.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      (e: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(e.message);
      },
    );
  });
  // Bound how long a slow or stalled client may hold a connection during the run.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    try {
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', () => {}); // after listening: nothing a scraper does may end the run
        const addr = server.address();
        const actual = typeof addr === 'object' && addr ? addr.port : port;
        resolve({
          host,
          port: actual,
          url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}/metrics`,
          close: () =>
            new Promise<void>((r) => {
              server.close(() => r());
              server.closeAllConnections();
            }),
        });
      });
    } catch (e) {
      reject(e);
    }
  });
}
