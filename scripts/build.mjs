#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` runs it on a clean clone):
// precompiles the CLI and the partition worker into dist/ with esbuild — ESM
// for Node 20, the lazily imported commands split into chunks — so a run does
// not pay for compiling TypeScript at start-up, in the main thread and again
// in every worker thread (tsx). The small pure-JS packages every run loads
// (BUNDLED) go into the bundle too: Node's CommonJS loader and the ESM
// wrappers around them cost more at start-up than their code; every other
// package stays external (piscina starts its own worker file, msgpackr has a
// native add-on, the rest are loaded only by some commands).
//
// Every module keeps its own `import.meta.url`: the plugin below rewrites it
// to the URL of the module's source file, computed relative to the bundle's
// location (dist/ sits at the repository root), so code that finds files next
// to its source (scenarios/, calibration.yaml, the worker) behaves the same
// from dist/ as through tsx, wherever the repository is moved.
//
// dist/stamp.json records the sources' fingerprint taken before the build;
// bin/vioemu.js runs dist/ only while it still matches (see sources.mjs).
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceFingerprint } from './sources.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const DIST = join(ROOT, 'dist');

/** Packages compiled into the bundle; any other bare import stays an import from node_modules. */
const BUNDLED = new Set(['xstate', 'zod', 'yaml', 'commander']);

const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      if (BUNDLED.has(name) && !args.path.startsWith('node:')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** Replace `import.meta.url` in our sources by the URL of the source file itself. */
const sourceImportMetaUrl = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      // Entry points and chunks all live directly in dist/ (no [dir] in their names).
      const fromDist = relative(DIST, args.path).split('\\').join('/');
      const contents = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromDist)}, import.meta.url).href`);
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

export async function buildDist({ quiet = false } = {}) {
  const t0 = performance.now();
  // Taken before reading any source: an edit made during the build leaves the stamp stale.
  const fingerprint = sourceFingerprint(ROOT);
  const { build } = await import('esbuild');
  const tmp = `${DIST}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    await build({
      absWorkingDir: ROOT,
      entryPoints: { cli: 'src/cli/main.ts', worker: 'src/run/worker.ts' },
      outdir: tmp,
      entryNames: '[name]',
      chunkNames: '[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      define: { __VIOEMU_BUNDLE__: 'true' },
      // CommonJS packages in an ESM bundle call require() (yaml, commander): give them one.
      banner: { js: "import { createRequire as __vioemuCreateRequire } from 'node:module'; const require = __vioemuCreateRequire(import.meta.url);" },
      plugins: [externalPackages, sourceImportMetaUrl],
      logLevel: 'warning',
    });
    writeFileSync(join(tmp, 'stamp.json'), JSON.stringify({ fingerprint, builtAt: new Date().toISOString() }, null, 2) + '\n');
    // Swap in whole: a process starting meanwhile sees the old build or the new one, never half of each.
    const old = `${DIST}.old-${process.pid}`;
    try {
      renameSync(DIST, old);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    renameSync(tmp, DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!quiet) process.stderr.write(`vioemu: built dist/ in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
}

// `--prepare` (npm ci / npm install): a failed build only warns, since the CLI
// then runs the sources through tsx; `--quiet`: no line when it succeeds.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const prepare = process.argv.includes('--prepare');
  try {
    await buildDist({ quiet: process.argv.includes('--quiet') || prepare });
  } catch (e) {
    process.stderr.write(`vioemu: build of dist/ failed: ${e.message}${prepare ? '\nvioemu: the CLI will run the TypeScript sources through tsx (slower start)' : ''}\n`);
    if (!prepare) process.exitCode = 1;
  }
}
