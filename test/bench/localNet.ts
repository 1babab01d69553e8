// Loopback helpers for benchmarks and tests that start real servers
// (prometheus, redis-server, nats-server) on 127.0.0.1. Kept under test/bench
// so the bundled benchmarks can use them (that folder is part of dist/).
import { createConnection, createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
export const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port }, () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });

/** Poll `f` every `pollMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, f: () => boolean | Promise<boolean>, timeoutMs = 30_000, pollMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
