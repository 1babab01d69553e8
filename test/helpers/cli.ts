// Spawn the real CLI (as users do) and capture its output.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/vioemu.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { onSpawn?: (kill: (sig: NodeJS.Signals) => void, stderr: () => string, pid: number) => void; timeoutMs?: number; cwd?: string; bin?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? BIN, ...args], { cwd: opts.cwd ?? REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 110_000);
    opts.onSpawn?.((sig) => child.kill(sig), () => stderr, child.pid!);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Drop wall-clock and partitioning fields (as the CI check does) for comparisons. */
export function stripWall(v: unknown): unknown {
  const drop = (k: string) => /wall|realTimeFactor|^threads$/i.test(k);
  if (Array.isArray(v)) return v.map(stripWall);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().filter((k) => !drop(k)).map((k) => [k, stripWall((v as Record<string, unknown>)[k])]));
  }
  return v;
}
