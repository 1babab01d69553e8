#!/usr/bin/env node
// Launcher. Runs the precompiled CLI in dist/ (scripts/build.mjs; `npm ci` and
// `npm run build` make it) while it matches the sources: dist/stamp.json holds
// the fingerprint of src/, actors/, test/bench/ taken at build time. Otherwise
// (no build, or any source edited, added or deleted since) it runs the
// TypeScript sources through tsx, as before — never a stale bundle.
// VIOEMU_FROM_SOURCE=1 forces the sources.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { distIsCurrent } from '../scripts/sources.mjs';

// VIOEMU_LAUNCH tells the code (and `vioemu bench`) which of the two runs.
if (process.env.VIOEMU_FROM_SOURCE !== '1' && distIsCurrent(fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, ''))) {
  process.env.VIOEMU_LAUNCH = 'dist';
  await import('../dist/cli.js');
} else {
  // A terminal gets one line saying why start-up is slower; pipes and scripts see the same output either way.
  if (process.env.VIOEMU_FROM_SOURCE !== '1' && process.stderr.isTTY) {
    const why = existsSync(new URL('../dist/stamp.json', import.meta.url)) ? 'dist/ is older than the sources' : 'no dist/ build';
    process.stderr.write(`vioemu: ${why}: running the TypeScript through tsx (npm run build for a faster start)\n`);
  }
  process.env.VIOEMU_LAUNCH = 'source';
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
