// --queue URLs: redis://[user:password@]host[:port][/db] or rediss:// (TLS).
// Checked before anything connects; a bad one is a usage error (exit 2). Kept
// apart from the client code so that commands without --queue never load it.
import { UsageError } from '../cli/usage.ts';

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL without credentials, for messages. */
  shown: string;
}

/** redis://[user:password@]host[:port][/db] or rediss:// (TLS). Anything else: UsageError naming `flag`. */
export function parseQueueUrl(text: string, flag = '--queue'): RedisTarget {
  const bad = (why: string): never => {
    throw new UsageError(`${flag}: ${why}, got ${JSON.stringify(text)} (want redis://HOST:PORT)`);
  };
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    const port = /^[a-z]+:\/\/[^/]*:(\d+)(\/|$)/i.exec(text.trim())?.[1];
    return bad(port !== undefined && Number(port) > 65535 ? 'port out of range' : 'not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') bad(`unsupported scheme ${JSON.stringify(u.protocol.replace(/:$/, ''))}`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') bad('no host');
  if (u.search || u.hash) bad('query and fragment are not supported');
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) bad('the path must be a database number (/0../15)');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!(port >= 1 && port <= 65535)) bad('port out of range');
  const db = path === '' ? 0 : Number(path);
  return {
    host,
    port,
    db,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:',
    shown: `${u.protocol}//${u.host}${db ? `/${db}` : ''}`,
  };
}
