// A run whose parent goes away (a script killed by `kill -HUP <script>`, a remote
// shell dropped) is hung up: it stops and writes what it gathered, as SIGHUP does.
// --ignore-hangup keeps it running through both.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentParentPid } from '../../src/cli/signals.ts';
import { BIN, REPO } from '../helpers/cli.ts';

const LONG_RUN = ['run', 'scenarios/kernel/ring.yaml', '--duration', '1h', '--set', 'ring.actorKind=plain', '--metrics-port', '0'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const orphans: number[] = [];
afterEach(() => {
  for (const pid of orphans.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

/**
 * Start vioemu in the background of a shell (as a script does), wait until its run is under way
 * (virtual time > 0 on /metrics), then kill the shell outright: vioemu is orphaned, nothing signals it.
 */
async function orphanedRun(extra: string[]): Promise<{ pid: number; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'vioemu-hup-'));
  const q = (s: string) => `'${s}'`;
  const cmd = `${q(process.execPath)} ${q(BIN)} ${[...LONG_RUN, ...extra, '--out', dir].map(q).join(' ')} 2>${q(join(dir, 'err'))} & echo $! >${q(join(dir, 'pid'))}; wait`;
  const shell = spawn('sh', ['-c', cmd], { cwd: REPO, stdio: 'ignore' });
  await until('the pid file', () => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8').trim() !== '');
  const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  orphans.push(pid);
  await until('the run to be under way', async () => {
    const m = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(existsSync(join(dir, 'err')) ? readFileSync(join(dir, 'err'), 'utf8') : '');
    if (!m) return false;
    const body = await (await fetch(m[1]!)).text().catch(() => '');
    return Number(/^vioemu_virtual_time_seconds ([0-9.e+-]+)$/m.exec(body)?.[1] ?? 0) > 0.01;
  });
  shell.kill('SIGKILL');
  return { pid, dir };
}

describe('hang-up by losing the parent', () => {
  it('reads the parent as the kernel sees it now (a name with spaces and parentheses does not confuse it)', async () => {
    expect(currentParentPid()).toBe(process.ppid);
    // A child whose command name is "a (b) c" reports this process as its parent.
    const dir = mkdtempSync(join(tmpdir(), 'vioemu-ppid-'));
    const script = join(dir, 'ppid.ts');
    // process.title is the name /proc/<pid>/stat shows (prctl PR_SET_NAME).
    writeFileSync(script, `import { readFileSync } from 'node:fs';\nimport { currentParentPid } from ${JSON.stringify(join(REPO, 'src/cli/signals.ts'))};\nprocess.title = 'a (b) c';\nif (!readFileSync('/proc/self/stat', 'latin1').includes('(a (b) c)')) throw new Error('title not in stat');\nconsole.log(currentParentPid());\n`);
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('error', reject);
      child.on('close', () => resolve(text.trim()));
    });
    expect(Number(out)).toBe(process.pid);
  });

  it('a run whose parent shell is killed writes its partial result and ends', async () => {
    const { pid, dir } = await orphanedRun([]);
    await until('the process to end', () => !alive(pid));
    const res = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(res.interrupted).toBe(true);
    expect(res.virtualSeconds).toBeGreaterThan(0);
    expect(res.delivered).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'err'), 'utf8')).toMatch(/the process that started vioemu \(pid \d+\) exited: a hang-up \(SIGHUP\) — stopping at the next window/);
  });

  it('--ignore-hangup keeps it running through the parent\'s exit and SIGHUP; SIGTERM still stops it', async () => {
    const { pid, dir } = await orphanedRun(['--ignore-hangup']);
    process.kill(pid, 'SIGHUP');
    await sleep(1500);
    expect(alive(pid)).toBe(true);
    expect(existsSync(join(dir, 'result.json'))).toBe(false);
    process.kill(pid, 'SIGTERM');
    await until('the process to end', () => !alive(pid));
    expect(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).interrupted).toBe(true);
    expect(readFileSync(join(dir, 'err'), 'utf8')).toMatch(/SIGTERM — stopping/);
  });
});
