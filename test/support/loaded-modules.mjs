// A preload (`node --import`) for tests that guard start-up cost: records what the process loads
// into the file named by ALLUXIO_TEST_LOADED_MODULES, one per line: `esm <url>` for every module
// the ESM loader resolves, `cjs <path>` for every CommonJS file required (require.cache at exit: an
// ESM hook does not see require), and `internal <name>` for node's bundled undici (the global
// fetch), which neither shows.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.ALLUXIO_TEST_LOADED_MODULES;
if (out) {
  register('./loaded-modules-hook.mjs', import.meta.url, { data: { out } });
  process.once('exit', () => {
    const cjs = Object.keys(createRequire(import.meta.url).cache).map((f) => `cjs ${f}`);
    const internal = process.moduleLoadList.filter((m) => m.includes('undici')).map((m) => `internal ${m}`);
    appendFileSync(out, [...cjs, ...internal, ''].join('\n'));
  });
}
