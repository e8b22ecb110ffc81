import { randomBytes } from 'node:crypto';
import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import { InvalidArgumentError, toAlluxioError } from '../../common/errors.js';
import { ufsOptionsFromConf } from '../../client/from-conf.js';
import { createUfs, mergeUfsOptions } from '../../ufs/registry.js';
import type { UnderFileSystem } from '../../ufs/under-file-system.js';
import { commandConf, type GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export interface OpResult { op: string; status: 'PASS' | 'FAIL' | 'SKIP'; ms: number; error?: string }

/** `uri` + '/' + name, with exactly one slash between them. */
function child(uri: string, name: string): string {
  return `${uri.replace(/\/+$/, '')}/${name}`;
}

/**
 * The operations `exec ufsTest` runs, in order, in a fresh directory under the tested path: each
 * depends on the ones before it, so after a failure the rest are skipped (the first FAIL is the one
 * to look at). The directory is removed at the end whatever happened.
 */
async function ufsContract(ufs: UnderFileSystem, base: string): Promise<OpResult[]> {
  const dir = child(base, `alluxio-ufs-test-${Date.now()}-${randomBytes(4).toString('hex')}`);
  const file = child(dir, 'file.txt');
  const moved = child(dir, 'moved.txt');
  const body = Buffer.from(`alluxio ufsTest ${randomBytes(16).toString('hex')}\n`);
  const expect = (ok: boolean, why: string) => { if (!ok) throw new Error(why); };
  const ops: Array<[string, () => Promise<void>]> = [
    ['list the path', async () => { await ufs.list(base, { limit: 1 }); }],
    ['create a directory', () => ufs.mkdir(dir)],
    ['write a file', async () => { await ufs.write(file, body); }],
    ['get the status of a file', async () => {
      const s = await ufs.getStatus(file);
      expect(!s.isDirectory && s.length === body.length, `expected a file of ${body.length} bytes, got ${s.isDirectory ? 'a directory' : `${s.length} bytes`}`);
    }],
    ['read a whole file', async () => expect((await text(await ufs.openRead(file, 0, -1))) === body.toString(), 'the bytes read differ from the bytes written')],
    ['read a range', async () => expect((await text(await ufs.openRead(file, 8, 7))) === body.subarray(8, 15).toString(), 'the range read differs from the bytes written')],
    ['list a directory', async () => expect((await ufs.list(dir)).entries.some((e) => e.name === 'file.txt'), 'the written file is not listed')],
    ['rename a file', () => ufs.rename(file, moved)],
    ['the renamed file is there, the old name gone', async () => {
      expect((await ufs.getStatus(moved)).length === body.length, 'the renamed file has another length');
      const old = await ufs.getStatus(file).then(() => true, (e) => (toAlluxioError(e).code === 'ALX_ERR_NOT_FOUND' ? false : Promise.reject(e)));
      expect(!old, 'the old name still exists after the rename');
    }],
    ['delete a file', () => ufs.delete(moved)],
    ['a deleted file is not found', async () => {
      const there = await ufs.getStatus(moved).then(() => true, (e) => (toAlluxioError(e).code === 'ALX_ERR_NOT_FOUND' ? false : Promise.reject(e)));
      expect(!there, 'the file is still there after the delete');
    }],
    ['delete a directory', () => ufs.delete(dir, { recursive: true })],
  ];
  const results: OpResult[] = [];
  let failed = false;
  for (const [op, run] of ops) {
    if (failed) { results.push({ op, status: 'SKIP', ms: 0 }); continue; }
    const t = Date.now();
    try {
      await run();
      results.push({ op, status: 'PASS', ms: Date.now() - t });
    } catch (err) {
      failed = true;
      results.push({ op, status: 'FAIL', ms: Date.now() - t, error: toAlluxioError(err).message });
    }
  }
  if (failed) await ufs.delete(dir, { recursive: true }).catch(() => {});
  return results;
}

/** `alluxio exec ufsTest`: checks that an under-storage supports what Alluxio needs of it. */
export function registerExecCommands(program: Command, global: () => GlobalOptions): void {
  const exec = program.command('exec').description('run a check or tool against the cluster or an under-storage (exec ufsTest)');
  exec.command('ufsTest').requiredOption('--path <ufs uri>', 'the under-storage directory to test, e.g. s3://bucket/dir/ or /data')
    .option('--option <key=value>', 'under-storage property (repeatable), e.g. s3a.accessKeyId=...; alluxio-site.properties applies too', collect, [])
    .option('--json', 'print JSON')
    .description('run create, write, status, read, list, rename and delete against an under-storage and report PASS/FAIL per operation (a scratch directory is created and removed)')
    .action(async (o: { path: string; option: string[]; json?: boolean }) => {
      const options: Record<string, string> = {};
      for (const kv of o.option) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new InvalidArgumentError(`--option '${kv.split('=')[0]}' is not key=value`);
        options[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const ufs = createUfs(o.path, mergeUfsOptions(ufsOptionsFromConf(commandConf(global())), options));
      let results: OpResult[];
      try {
        results = await ufsContract(ufs, o.path);
      } finally {
        await ufs.close().catch(() => {});
      }
      const passed = results.every((r) => r.status === 'PASS');
      if (o.json) printJson({ path: o.path, passed, results });
      else {
        printTable(['OPERATION', 'RESULT', 'MS', 'ERROR'], results.map((r) => [r.op, r.status, r.ms, r.error ?? '']));
        process.stdout.write(passed ? `All ${results.length} operations passed on ${o.path}\n` : `ufsTest failed on ${o.path}\n`);
      }
      if (!passed) process.exitCode = 1;
    });
}
