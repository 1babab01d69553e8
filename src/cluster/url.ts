// --transport URLs: nats://[user:password@ | token@]host[:port] or tls:// (TLS),
// and --partition K/N. Checked before anything connects; a bad one is a usage
// error (exit 2) naming the flag. Kept apart from the client code so that
// commands without --transport never load it.
import { parseServerUrl } from '../cli/serverUrl.ts';
import { UsageError } from '../cli/usage.ts';

export interface NatsTarget {
  host: string;
  port: number;
  user?: string;
  pass?: string;
  token?: string;
  tls: boolean;
  /** The URL without credentials, for messages. */
  shown: string;
}

export function parseTransportUrl(text: string, flag = '--transport'): NatsTarget {
  const { url: u, host, port } = parseServerUrl(text, flag, {
    schemes: ['nats', 'tls'],
    defaultPort: 4222,
    checkPath: (pathname, bad) => {
      if (pathname !== '' && pathname !== '/') bad('a path is not supported');
    },
  });
  const user = u.username ? decodeURIComponent(u.username) : undefined;
  const pass = u.password ? decodeURIComponent(u.password) : undefined;
  return {
    host,
    port,
    // nats://TOKEN@host: a user name without a password is the server's auth token.
    ...(user !== undefined && pass === undefined ? { token: user } : { user, pass }),
    tls: u.protocol === 'tls:',
    shown: `${u.protocol}//${u.host}`,
  };
}

/** --partition K/N: this process's partition K of a run of N (0 <= K < N). */
export function parsePartition(text: string): { k: number; n: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(k) || !Number.isSafeInteger(n) || n < 1 || k >= n || n > 1024) {
    throw new UsageError(`--partition: want K/N with 0 <= K < N <= 1024 (this process runs partition K of N; 0 is the coordinator), got ${JSON.stringify(text)}`);
  }
  return { k, n };
}
