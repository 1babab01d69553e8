// The Redis behind --queue: URL checks (a bad one is a usage error, exit 2),
// ioredis clients with backoff, and one line per outage instead of a stream of
// ioredis/BullMQ errors.
import type { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { UsageError } from '../cli/usage.ts';
import type { RedisTarget } from './url.ts';

export { parseQueueUrl, type RedisTarget } from './url.ts';

/** How long connecting and a first PING may take before the server counts as unreachable (ms). */
const PING_TIMEOUT_MS = 5_000;

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

function isConnectionError(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException;
  return (err.code !== undefined && CONNECTION_CODES.has(err.code)) || /Connection is closed|connect ETIMEDOUT|Stream isn't writeable|Reached the max retries/i.test(err.message ?? '');
}

/** Close a client now. Not on one that has ended: ioredis would then wait 2 s for a socket that is already closed. */
export function drop(c: Redis): void {
  if (c.status !== 'end') c.disconnect();
}

const isAuthError = (e: unknown) => /NOAUTH|WRONGPASS|invalid password|invalid username/i.test((e as Error).message ?? '');
/** The server refused the URL's database number: a configuration error, not an outage (retrying cannot help). */
const REFUSED_DB = /DB index is out of range|invalid DB index/i;

/** Short reason for one line: "ECONNREFUSED", "WRONGPASS …". */
export function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { errors?: unknown[] };
  if (err.code === 'ENOTFOUND') return 'ENOTFOUND: unknown host';
  if (err.code && CONNECTION_CODES.has(err.code)) return err.code;
  if (Array.isArray(err.errors) && err.errors.length) return reason(err.errors[0]);
  return (err.message ?? String(e)).split('\n')[0]!;
}

/**
 * Clients for one Redis, with backoff (0.25 s doubling to 10 s) once `retry`
 * is on. `say` gets one line when the server goes away and one when it is
 * back, however many clients (ours and BullMQ's) notice.
 */
export class RedisLink {
  retry: boolean;
  private down = false;
  /** When the current outage began (Date.now()), and its latest reason. */
  private downAt = 0;
  private downWhy = '';
  /** While connectOnce runs: its caller reports the failure. */
  private quiet = false;
  private readonly clients: Redis[] = [];

  constructor(
    readonly target: RedisTarget,
    private readonly say: (line: string) => void,
    opts: { retry: boolean },
  ) {
    this.retry = opts.retry;
  }

  /** A new client (lazy: connect() or first command connects it). */
  client(name: string): Redis {
    const t = this.target;
    const c = new Redis({
      host: t.host,
      port: t.port,
      db: t.db,
      username: t.username,
      password: t.password,
      tls: t.tls ? {} : undefined,
      connectionName: name,
      lazyConnect: true,
      connectTimeout: 5_000,
      maxRetriesPerRequest: null, // commands wait out an outage (BullMQ requires it for workers)
      // disconnect() while reconnecting (the socket already closed) would keep the process 2 s (the default) for nothing
      disconnectTimeout: 200,
      retryStrategy: (times: number) => (this.retry ? Math.min(250 * 2 ** Math.min(times - 1, 6), 10_000) : null),
    });
    this.watch(c);
    c.on('ready', () => this.up());
    this.clients.push(c);
    return c;
  }

  /** Route an emitter's 'error' events (ioredis client, BullMQ Queue/Worker) into the one-line reporting. */
  watch(e: EventEmitter): void {
    e.on('error', (err: unknown) => this.problem(err));
  }

  /** A connection problem (one line per outage) or anything else (one line each). */
  problem(err: unknown): void {
    if (this.quiet) return;
    if (isConnectionError(err)) {
      if (!this.down) {
        this.markDown(reason(err));
        this.say(`${this.target.shown} unreachable (${reason(err)}); retrying with backoff`);
      } else {
        this.downWhy = reason(err);
      }
    } else {
      this.say(`redis: ${reason(err)}`);
    }
  }

  /**
   * A command unanswered `afterMs` on an open connection: a server stopped
   * (SIGSTOP, a frozen VM) or hung sends no error and closes nothing, so this
   * is the only sign of it. Counts as an outage until a command is answered.
   */
  noAnswer(afterMs: number): void {
    if (this.quiet || this.down) return;
    this.markDown(`no answer for ${afterMs / 1000} s`);
    this.say(`${this.target.shown} not answering (no answer for ${afterMs / 1000} s); waiting`);
  }

  /** A command was answered: the server is there (ends a no-answer outage). */
  answered(): void {
    this.up();
  }

  private up(): void {
    if (this.down) {
      this.down = false;
      this.say(`${this.target.shown} reachable again`);
    }
  }

  private markDown(why: string): void {
    this.down = true;
    this.downAt = Date.now();
    this.downWhy = why;
  }

  get isDown(): boolean {
    return this.down;
  }

  /** The current outage: since when (ms since the epoch) and its latest reason; null while reachable. */
  get outage(): { since: number; reason: string } | null {
    return this.down ? { since: this.downAt, reason: this.downWhy } : null;
  }

  /**
   * Connect `c` once, without retrying: a server that cannot be reached, an
   * unknown host or refused credentials is a UsageError (exit 2).
   */
  async connectOnce(c: Redis, flag = '--queue'): Promise<void> {
    const retry = this.retry;
    this.retry = false;
    this.quiet = true;
    // connect() rejects with "Connection is closed."; the cause came as an 'error' event before.
    let cause: unknown;
    const record = (e: unknown) => (cause = e);
    c.on('error', record);
    let timer: NodeJS.Timeout | undefined;
    try {
      // A server that takes the connection but never answers (not Redis, or hung) would hold this
      // forever: ioredis's connectTimeout ends at the TCP connection, before its ready check.
      const silent = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${PING_TIMEOUT_MS / 1000} s: not a Redis server, or a hung one`), { code: 'NOANSWER' })), PING_TIMEOUT_MS);
      });
      await Promise.race([(async () => {
        await c.connect();
        await c.ping();
        // ioredis selects the database as it connects but goes on in database 0 if the server refuses it.
        if (this.target.db) await c.select(this.target.db);
      })(), silent]);
    } catch (e) {
      drop(c);
      const err = (e as { code?: string }).code === 'NOANSWER' ? e : (cause ?? e);
      throw new UsageError(`${flag} ${this.target.shown}: cannot connect (${isAuthError(err) ? 'authentication failed: ' : ''}${reason(err)})`);
    } finally {
      clearTimeout(timer);
      c.off('error', record);
      this.retry = retry;
      this.quiet = false;
    }
  }

  /**
   * Connect `c`, retrying with backoff until it works (one line per outage)
   * or `stop()` (then false). Refused credentials or an unknown host still
   * end it: UsageError.
   */
  async connectPersistently(c: Redis, flag = '--queue', stop: () => boolean = () => false): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (stop()) return false;
      try {
        await this.connectOnce(c, flag);
        this.up();
        return true;
      } catch (e) {
        const msg = (e as Error).message;
        if (/authentication failed|ENOTFOUND/.test(msg) || REFUSED_DB.test(msg)) throw e;
        if (!this.down) {
          const why = /\(([^()]*)\)$/.exec(msg)?.[1] ?? msg;
          this.markDown(why);
          this.say(`${this.target.shown} unreachable (${why}); retrying with backoff`);
        }
        const until = Date.now() + Math.min(250 * 2 ** Math.min(attempt - 1, 6), 10_000);
        while (Date.now() < until && !stop()) await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.clients.map(async (c) => {
        c.on('error', () => {});
        try {
          if (c.status === 'ready') await c.quit();
          else drop(c);
        } catch {
          drop(c);
        }
      }),
    );
  }
}
