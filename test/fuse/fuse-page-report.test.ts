// The pages the FUSE mount reads itself (from the worker's page files, in JS and in the binding's C
// path) are reported to the worker over its domain socket, so its LRU evictor sees them used. A
// real etcd, a real worker with a 16-page cache and a domain socket, a real `alluxio fuse mount -f`
// reading that worker's page store; python3 reads through the mount with the kernel's caching out
// of the way (page-files.ts OPEN), so every read is a FUSE read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { createLogger } from '../../src/common/logging.js';
import { scrapeMetric } from '../support/cli.js';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { readAll, startWorkerProcesses, writeEtcdConf, type EtcdClusterConf, type WorkerProcess } from '../cluster/harness.js';
import { forceUnmount, FuseProcess } from './fuse-harness.js';
import { fastReads, killPythons, OPEN, python } from './page-files.js';

const PS = 64 * 1024; // the harness's page size
const CACHE_PAGES = 16;
const REPORTED = 'alluxio_worker_bytes_read_short_circuit_total';

describe('pages the FUSE mount reads itself count as used for the worker\'s evictor', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let worker: WorkerProcess;
  let fuse: FuseProcess;
  let client: AlluxioClient;
  let ufs: string;
  let mnt: string;

  /** Writes `name` (`pages` full pages) to the UFS and has the worker cache it (read through the worker, not the mount). */
  async function cache(name: string, pages: number): Promise<void> {
    writeFileSync(join(ufs, name), randomBytes(pages * PS));
    await readAll(client, `/${name}`);
    await waitFor(`the worker caches ${name}`, async () => (await cachedPages(name)) === pages, 30_000);
  }

  async function cachedPages(name: string): Promise<number> {
    return (await client.fileCacheStatus(client.ring.liveWorkers[0]!, `/${name}`)).cachedPages;
  }

  before(async () => {
    tmp = await makeTempDir('alluxio-fuse-report-');
    ufs = join(tmp.path, 'ufs');
    mnt = join(tmp.path, 'mnt');
    mkdirSync(ufs);
    etcd = await startEtcd();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.worker.page.store.sizes': `${CACHE_PAGES * 64}KB`,
      'alluxio.worker.data.server.domain.socket.address': join(tmp.path, 'sockets'),
      'alluxio.worker.data.server.domain.socket.as.uuid': 'true',
      'alluxio.user.metadata.cache.expiration.time': '1s',
      // A worker stopped for a while (the dead-socket test) stays on the ring meanwhile.
      'alluxio.worker.failure.detection.timeout': '30s',
    });
    [worker] = await startWorkerProcesses(cc, tmp.path, 1);
    // The test's own reads go through the worker's TCP port (no short-circuit, no report).
    client = await createClient(cc.conf({ 'alluxio.user.short.circuit.enabled': 'false' }), { log: createLogger('test', 'silent') });
    await waitFor('the client sees the worker', () => client.ring.liveWorkers.length === 1, 60_000);
    fuse = await FuseProcess.start(mnt, cc.env, [`alluxio.worker.page.store.dirs=${join(tmp.path, 'worker-0', 'pagestore')}`]);
  });

  after(async () => {
    killPythons();
    await fuse?.stop('SIGTERM').catch(() => {});
    if (mnt) await forceUnmount(mnt);
    await client?.close().catch(() => {});
    await worker?.kill('SIGKILL');
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('a file read over and over through the mount (answered in the binding) survives the eviction that other data forces', async () => {
    // hot (4 pages) is cached first, then older (8): 12 of 16 pages.
    await cache('hot.bin', 4);
    // Every page of hot read once through the mount (JS checks and registers each), then, after
    // older is cached (so hot is older than it for the worker), read again and again: those reads
    // are answered in C from the registered descriptors.
    const readPass = (times: number): string => `for _ in range(${times}):
    for p in range(4):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        assert len(os.pread(fd, 4096, p * ${PS} + 100)) == 4096
`;
    const py = python(`${OPEN(join(mnt, 'hot.bin'))}${readPass(2)}sys.stdout.write('registered\\n'); sys.stdout.flush()
sys.stdin.readline()
${readPass(50)}sys.stdout.write('hot\\n'); sys.stdout.flush()
sys.stdin.readline()
`);
    await waitFor('python read hot once', () => /^registered$/m.test(py.out()), 60_000);
    // The first pass's reports are in before older is cached (the worker counts reported bytes).
    await waitFor('the first pass is reported', async () => (await scrapeMetric(worker.metricsUrl, REPORTED)) >= 3 * PS, 30_000).catch(() => {});
    await cache('older.bin', 8);
    const fast0 = (await fastReads(fuse.webPort))!;
    const reported0 = await scrapeMetric(worker.metricsUrl, REPORTED);
    py.stdin.write('go\n');
    await waitFor('python read hot 50 more times', () => /^hot$/m.test(py.out()), 60_000);
    const fast1 = (await fastReads(fuse.webPort))!;
    assert.ok(fast1.reads - fast0.reads >= 100, `the reads of hot were answered in the binding (${fast1.reads - fast0.reads} of 200)`);
    // Reported within a second or so: the worker counts each reported page's bytes (every page once per batch).
    await waitFor('the worker hears of the C reads', async () => (await scrapeMetric(worker.metricsUrl, REPORTED)) - reported0 >= 4 * PS, 30_000)
      .catch(() => {}); // the old code never reports: the eviction below is the proof
    // 8 more pages: 4 must go. LRU picks the least recently used: older's first pages, not hot's.
    await cache('newer.bin', 8);
    assert.equal(await cachedPages('hot.bin'), 4, 'the pages the mount reads all the time were evicted');
    assert.equal(await cachedPages('older.bin'), 4, 'the pages nobody read since they were cached went first');
    assert.ok((await scrapeMetric(worker.metricsUrl, REPORTED)) - reported0 >= 4 * PS, 'the worker counted the reported pages');
    py.stdin.end('done\n');
    assert.equal(await py.exited, 0, py.out());
  });

  test('a worker whose socket does not answer: the reads answered in the binding still succeed, the report is dropped with a debug log', async () => {
    await cache('dead.bin', 2);
    const py = python(`${OPEN(join(mnt, 'dead.bin'))}want = open(${JSON.stringify(join(ufs, 'dead.bin'))}, 'rb').read()
def reads(times):
    for _ in range(times):
        for p in range(2):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            assert os.pread(fd, 4096, p * ${PS} + 7) == want[p * ${PS} + 7:p * ${PS} + 4103]
reads(2)
sys.stdout.write('registered\\n'); sys.stdout.flush()
sys.stdin.readline()
reads(50)
sys.stdout.write('read\\n'); sys.stdout.flush()
sys.stdin.readline()
`);
    await waitFor('python read dead.bin once', () => /^registered$/m.test(py.out()), 60_000);
    const level = await fetch(`http://127.0.0.1:${fuse.webPort}/api/v1/conf/log?name=fuse&level=debug`, { method: 'POST' });
    assert.equal(level.status, 200, await level.text());
    const fast0 = (await fastReads(fuse.webPort))!;
    // Stopped, the worker's socket takes connections and never answers: a report waits for the
    // mount's read timeout (5 s here); any read that waited for the worker would hang.
    worker.proc!.kill('SIGSTOP');
    try {
      py.stdin.write('go\n');
      await waitFor('python read dead.bin 50 more times', () => /^read$/m.test(py.out()), 30_000)
        .catch((err: Error) => { throw new Error(`${err.message}\npython: ${py.out()}\nfuse: ${fuse.logs().slice(-4000)}`); });
      assert.ok((await fastReads(fuse.webPort))!.reads - fast0.reads >= 50, 'the reads were answered in the binding');
      await waitFor('the failed report is logged at debug', () => fuse.logs().includes('page read report failed: dropped'), 30_000);
    } finally {
      worker.proc!.kill('SIGCONT');
    }
    py.stdin.end('done\n');
    assert.equal(await py.exited, 0, py.out());
  });
});
