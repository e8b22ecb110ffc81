#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm run build` and shipped in the package). From a clone
// whose dist/ is missing or older than a file under src/, runs the TypeScript through tsx instead
// (a devDependency), so tests and a fresh clone need no build step and never run stale code.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const compiled = new URL('dist/cli/main.js', root);

/** Newest mtime (ms) of a file under dir, or -1 when dir does not exist. */
function newestMtime(dir) {
  let newest = -1;
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return -1; }
  for (const e of entries) {
    const p = new URL(e.name + (e.isDirectory() ? '/' : ''), dir);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function mtime(url) {
  try { return statSync(url).mtimeMs; } catch { return -1; }
}

const builtAt = mtime(compiled);
if (builtAt >= 0 && builtAt >= newestMtime(new URL('src/', root))) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
