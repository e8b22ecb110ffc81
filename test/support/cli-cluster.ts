// The fixture of the `alluxio fs` CLI tests: a temp dir with a local UFS tree, in-process workers
// with that tree as the root mount, and the CLI run against them as a child process.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli, type CliResult } from './cli.js';
import { makeTempDir, type TempDir } from './tmp.js';
import { startTestCluster, type TestCluster } from './workers.js';

/** UFS files to create, by path relative to the UFS root; a path ending in '/' is an empty directory. */
export type UfsTree = Record<string, string | Buffer>;

export interface CliCluster {
  /** The test's temp dir (the UFS is its `ufs/`; conf and page stores are beside it). */
  dir: string;
  /** The UFS root mounted at `/`. */
  ufs: string;
  cluster: TestCluster;
  /** The environment that points the CLI at the cluster (ALLUXIO_CONF_DIR). */
  env: Record<string, string>;
  /** Runs `alluxio <args>` against the cluster. */
  cli(...args: string[]): Promise<CliResult>;
  /** Runs `alluxio <args> --json`, asserts exit 0 and parses stdout. */
  json<T>(...args: string[]): Promise<T>;
}

/** Writes tree below root. */
export function writeUfsTree(root: string, tree: UfsTree): void {
  mkdirSync(root, { recursive: true });
  for (const [rel, data] of Object.entries(tree)) {
    const path = join(root, rel);
    if (rel.endsWith('/')) {
      mkdirSync(path, { recursive: true });
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    }
  }
}

/**
 * Registers before/after hooks in the enclosing describe that start `workers` in-process workers
 * over a fresh UFS holding `tree`, and stop them and remove the temp dir afterwards. The fields of
 * the returned fixture are set once the before hook has run.
 */
export function useCliCluster(prefix: string, tree: UfsTree, workers = 2): CliCluster {
  let tmp: TempDir | undefined;
  const fixture: CliCluster = {
    dir: '',
    ufs: '',
    cluster: undefined as unknown as TestCluster,
    env: {},
    cli: (...args) => runCli(args, fixture.env),
    async json<T>(...args: string[]): Promise<T> {
      const r = await fixture.cli(...args, '--json');
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
  };
  before(async () => {
    tmp = await makeTempDir(prefix);
    fixture.dir = tmp.path;
    fixture.ufs = join(tmp.path, 'ufs');
    writeUfsTree(fixture.ufs, tree);
    fixture.cluster = await startTestCluster({ dir: tmp.path, rootUfs: fixture.ufs, workers });
    fixture.env = fixture.cluster.env;
  });
  after(async () => {
    await (fixture.cluster as TestCluster | undefined)?.stop();
    await tmp?.cleanup();
  });
  return fixture;
}
