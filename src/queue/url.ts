// --queue URLs: redis://[user:password@]host[:port][/db] or rediss:// (TLS).
// Checked before anything connects; a bad one is a usage error (exit 2). Kept
// apart from the client code so that commands without --queue never load it.
import { parseServerUrl } from '../cli/serverUrl.ts';

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
  const { url: u, host, port } = parseServerUrl(text, flag, {
    schemes: ['redis', 'rediss'],
    defaultPort: 6379,
    checkPath: (pathname, bad) => {
      const path = pathname.replace(/^\//, '');
      if (path !== '' && !/^\d{1,2}$/.test(path)) bad('the path must be a database number (/0../15)');
    },
  });
  const path = u.pathname.replace(/^\//, '');
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
