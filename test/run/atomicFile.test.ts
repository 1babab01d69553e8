// writeAll on a descriptor that takes a few bytes per write (a pipe, a slow
// device: writeSync may write less than asked) still writes every byte, in order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const short = vi.hoisted(() => ({ max: Infinity, calls: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = (fd: number, buf: Uint8Array, off: number, len: number) => {
    short.calls++;
    return fs.writeSync(fd, buf, off, Math.min(len, short.max));
  };
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const { writeAll, writeFileAtomically } = await import('../../src/run/atomicFile.ts');

const tmp = mkdtempSync(join(tmpdir(), 'vioemu-atomic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('writeAll', () => {
  it('goes on after a short write until every byte is written', () => {
    short.max = 7;
    short.calls = 0;
    const text = 'vioemu_x_total{host="a"} 1 1.000\n'.repeat(10);
    const f = join(tmp, 'out.txt');
    writeFileAtomically(f, (fd) => {
      writeAll(fd, text);
      writeAll(fd, Buffer.from('# EOF\n'));
    });
    expect(readFileSync(f, 'utf8')).toBe(text + '# EOF\n');
    expect(short.calls).toBe(Math.ceil(text.length / 7) + 1);
  });
});
