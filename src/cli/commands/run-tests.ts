import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import type { Command } from 'commander';
import { NotFoundError, toAlluxioError } from '../../common/errors.js';
import type { AlluxioClient } from '../../client/alluxio-client.js';
import { withClient, type GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

/** Sizes of the files written per mount: empty, smaller than a page, and across page boundaries. */
const SIZES = [0, 1000, 2 * 1024 * 1024 + 17];

interface MountResult { mount: string; ufs: string; status: 'PASS' | 'FAIL'; files: number; bytes: number; error?: string }

/** Writes, reads back (byte for byte) and deletes files in a scratch directory of one mount. */
async function testMount(c: AlluxioClient, mountPath: string, ufs: string): Promise<MountResult> {
  const dir = `${mountPath.replace(/\/$/, '')}/.alluxio-runTests-${Date.now()}-${randomBytes(3).toString('hex')}`;
  let step = 'create the test directory';
  let files = 0;
  let bytes = 0;
  try {
    await c.mkdir(dir);
    for (const [i, size] of SIZES.entries()) {
      const path = `${dir}/file-${i}`;
      const body = randomBytes(size);
      step = `write ${path} (${size} bytes)`;
      await c.write(path, body);
      step = `read ${path}`;
      const back = await buffer((await c.read(path)).stream);
      if (!back.equals(body)) throw new Error(`read back ${back.length} bytes that differ from the ${size} written`);
      files++;
      bytes += size;
    }
    step = `delete ${dir}`;
    await c.delete(dir, true);
    return { mount: mountPath, ufs, status: 'PASS', files, bytes };
  } catch (err) {
    await c.delete(dir, true).catch(() => {});
    return { mount: mountPath, ufs, status: 'FAIL', files, bytes, error: `${step}: ${toAlluxioError(err).message}` };
  }
}

/** `alluxio runTests` (Alluxio 2.x): a smoke test of every mount through the workers. */
export function registerRunTestsCommand(program: Command, global: () => GlobalOptions): void {
  program.command('runTests').option('--path <mount>', 'test only this mount point (default: every mount)').option('--json', 'print JSON')
    .description('write, read back and delete a few files through every mount (via the workers) and report PASS/FAIL per mount')
    .action((o: { path?: string; json?: boolean }) => withClient(global(), async (c) => {
      const mounts = c.namespace.mounts.list().filter((m) => !o.path || m.path === o.path);
      if (mounts.length === 0) throw new NotFoundError(o.path ? `no mount at ${o.path} (alluxio mount list shows them)` : 'no mount to test: add one with alluxio mount add');
      const results: MountResult[] = [];
      for (const m of mounts) results.push(await testMount(c, m.path, m.ufsUri));
      const passed = results.every((r) => r.status === 'PASS');
      if (o.json) printJson({ passed, results });
      else {
        printTable(['MOUNT', 'UFS', 'RESULT', 'FILES', 'ERROR'], results.map((r) => [r.mount, r.ufs, r.status, r.files, r.error ?? '']));
        process.stdout.write(passed ? `All ${results.length} mount(s) passed.\n` : `${results.filter((r) => r.status === 'FAIL').length} mount(s) failed.\n`);
      }
      if (!passed) process.exitCode = 1;
    }));
}
