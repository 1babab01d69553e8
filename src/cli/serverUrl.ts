// The URL of a server a flag names (--queue redis://…, --transport nats://…):
// checked before anything connects; a bad one is a usage error (exit 2)
// naming the flag. Each client reads its own scheme's path and credentials
// from the parsed URL.
import { UsageError } from './usage.ts';

export interface ServerUrlRules {
  /** Accepted schemes, without the colon: the first is the plain one named in errors. */
  schemes: string[];
  defaultPort: number;
  /** Checks the path (`url.pathname`); call `bad` to refuse it. */
  checkPath(pathname: string, bad: (why: string) => never): void;
}

export interface ServerUrl {
  url: URL;
  /** Host without IPv6 brackets. */
  host: string;
  port: number;
}

export function parseServerUrl(text: string, flag: string, rules: ServerUrlRules): ServerUrl {
  const bad = (why: string): never => {
    throw new UsageError(`${flag}: ${why}, got ${JSON.stringify(text)} (want ${rules.schemes[0]}://HOST:PORT)`);
  };
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    const port = /^[a-z]+:\/\/[^/]*:(\d+)(\/|$)/i.exec(text.trim())?.[1];
    return bad(port !== undefined && Number(port) > 65535 ? 'port out of range' : 'not a URL');
  }
  if (!rules.schemes.includes(url.protocol.replace(/:$/, ''))) bad(`unsupported scheme ${JSON.stringify(url.protocol.replace(/:$/, ''))}`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') bad('no host');
  if (url.search || url.hash) bad('query and fragment are not supported');
  rules.checkPath(url.pathname, bad);
  const port = url.port === '' ? rules.defaultPort : Number(url.port);
  if (!(port >= 1 && port <= 65535)) bad('port out of range');
  return { url, host, port };
}
