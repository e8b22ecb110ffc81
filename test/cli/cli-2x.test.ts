// Alluxio 2.x's CLI verbs through the real CLI against a real cluster (etcd, a coordinator process,
// a worker process, all on free ports): fs mount|unmount, fs copyFromLocal|copyToLocal,
// fs distributedLoad, fsadmin report, getConf, format*. Where a 2.x script would parse the output
// the test checks 2.x's shape (docs/alluxio-2x.md, "2.x CLI verbs").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { freePort, startEtcd, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, startWorkerProcesses, writeEtcdConf, type EtcdClusterConf, type WorkerProcess } from '../cluster/harness.js';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('2.x CLI verbs on a cluster', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let workers: WorkerProcess[] = [];
  let coord: CoordinatorProcess;
  let ufs: string;
  const cli = (...args: string[]) => runCli(args, cc.env, tmp.path);

  before(async () => {
    tmp = await makeTempDir('alluxio-cli-2x-');
    etcd = await startEtcd();
    ufs = join(tmp.path, 'ufs');
    mkdirSync(join(ufs, 'set', 'sub'), { recursive: true });
    writeFileSync(join(ufs, 'set', 'a.bin'), randomBytes(200_000));
    writeFileSync(join(ufs, 'set', 'sub', 'b.bin'), randomBytes(70_000));
    const web = await freePort();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.coordinator.web.port': String(web) });
    coord = await CoordinatorProcess.start(cc, web);
    workers = await startWorkerProcesses(cc, tmp.path, 1);
    const r = await cli('fs', 'mount', '/data', ufs);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(r.stdout, `Mounted file://${ufs}/ at /data\n`);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await coord?.kill();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('fs mount lists the mount table in 2.x\'s format; --readonly is refused; fs unmount removes a mount', async () => {
    const nas = join(tmp.path, 'nas');
    mkdirSync(nas);
    let r = await cli('fs', 'mount', '--shared', '--option', 'example.option=one', '/nas', nas);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    r = await cli('fs', 'mount');
    assert.equal(r.code, 0, r.stderr);
    // <ufs>  on  <path>  (<type>, capacity=.., used=.., [not ]read-only, [not ]shared, properties={..})
    const line = (uri: string, path: string) => new RegExp(`^${esc(uri)}\\s+on  ${esc(path)}\\s+\\(local, capacity=-1B, used=-1B, not read-only, shared, properties=\\{[^}]*\\}\\)$`, 'm');
    assert.match(r.stdout, line(`file://${ufs}/`, '/data'));
    assert.match(r.stdout, line(`file://${nas}/`, '/nas'));
    assert.match(r.stdout, /\/nas\s+\(local, .*properties=\{example\.option=one\}\)$/m);
    // The columns line up, as 2.x pads the URI and path to the longest one.
    const at = r.stdout.trim().split('\n').map((l) => l.indexOf('  on  '));
    assert.equal(new Set(at).size, 1, r.stdout);

    r = await cli('fs', 'mount', '--readonly', '/ro', nas);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /--readonly: alluxio-ts has no read-only mounts/);
    r = await cli('fs', 'mount', '/ro');
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /under-storage URI is missing/);

    r = await cli('fs', 'unmount', '/nas');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Unmounted /nas\n');
    r = await cli('fs', 'mount');
    assert.doesNotMatch(r.stdout, /\/nas|\/ro/);
    assert.match(r.stdout, line(`file://${ufs}/`, '/data'));
  });

  test('copyFromLocal and copyToLocal copy files and directories with plain local paths', async () => {
    const local = join(tmp.path, 'local');
    mkdirSync(join(local, 'dir', 'deep'), { recursive: true });
    const one = randomBytes(100_000);
    const two = randomBytes(3000);
    writeFileSync(join(local, 'dir', 'one.bin'), one);
    writeFileSync(join(local, 'dir', 'deep', 'two.bin'), two);
    writeFileSync(join(local, 'single.txt'), 'single\n');

    // Relative local paths resolve against the working directory, as in 2.x.
    let r = await cli('fs', 'copyFromLocal', 'local/single.txt', '/data/single.txt');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(readFileSync(join(ufs, 'single.txt'), 'utf8'), 'single\n');
    r = await cli('fs', 'copyFromLocal', join(local, 'dir'), '/data/up');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(readFileSync(join(ufs, 'up', 'one.bin')).equals(one));
    assert.ok(readFileSync(join(ufs, 'up', 'deep', 'two.bin')).equals(two));
    // An existing destination file is not overwritten.
    r = await cli('fs', 'copyFromLocal', 'local/single.txt', '/data/single.txt');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /already exists/);

    r = await cli('fs', 'copyToLocal', '/data/up', 'back');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(readFileSync(join(tmp.path, 'back', 'one.bin')).equals(one));
    assert.ok(readFileSync(join(tmp.path, 'back', 'deep', 'two.bin')).equals(two));
    r = await cli('fs', 'copyToLocal', '/data/single.txt', join(tmp.path, 'single-back.txt'));
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(readFileSync(join(tmp.path, 'single-back.txt'), 'utf8'), 'single\n');
    r = await cli('fs', 'copyToLocal', '/data/missing', join(tmp.path, 'missing'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /does not exist/);
    assert.ok(!existsSync(join(tmp.path, 'missing')));
  });

  test('distributedLoad runs a load job to its end, caches the files and exits non-zero when it fails', async () => {
    let r = await cli('fs', 'distributedLoad', '--replication', '1', '--active-jobs', '100', '/data/set');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Job State: SUCCEEDED/);
    assert.match(r.stdout, /^Total completed file count is 2, failed file count is 0$/m);
    const cached = JSON.parse((await cli('fs', 'check-cached', '--json', '/data/set')).stdout) as { fullyCached: number };
    assert.equal(cached.fullyCached, 2);
    r = await cli('fs', 'distributedLoad', '/data/no-such-dir');
    assert.notEqual(r.code, 0, r.stdout);
  });

  test('fsadmin report prints 2.x\'s summary, capacity, metrics and ufs texts, and JSON', async () => {
    let r = await cli('fsadmin', 'report');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Alluxio cluster summary: \n {4}Master Address: 127\.0\.0\.1:\d+\n {4}Web Port: \d+\n/);
    assert.match(r.stdout, /^ {4}Live Master Num: 1$/m);
    assert.match(r.stdout, /^ {4}Live Workers: 1$/m);
    assert.match(r.stdout, /^ {4}Lost Workers: 0$/m);
    assert.match(r.stdout, /^ {4}Total Capacity: 64\.00MB$/m);
    assert.match(r.stdout, /^ {8}Tier: SSD {2}Size: 64\.00MB$/m);
    assert.match(r.stdout, /^ {4}Used Capacity: \d+(\.\d\d[KM])?B$/m);
    assert.match(r.stdout, /^ {4}Free Capacity: \d+(\.\d\d[KM])?B$/m);

    r = await cli('fsadmin', 'report', 'capacity');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Capacity information for all workers: \n {4}Total Capacity: 64\.00MB\n/);
    assert.match(r.stdout, /^ {4}Used Percentage: \d+%\n {4}Free Percentage: \d+%$/m);
    assert.match(r.stdout, /^Worker Name +Last Heartbeat +Storage +Total +MEM +SSD +HDD$/m);
    assert.match(r.stdout, new RegExp(`^127\\.0\\.0\\.1:${workers[0]!.ports.http} +0 +Capacity +64\\.00MB +0B +64\\.00MB +0B$`, 'm'));
    assert.match(r.stdout, /^ +Used +\S+ \(\d+%\) +0B +\S+ +0B$/m);

    r = await cli('fsadmin', 'report', 'metrics');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Cluster\.Workers {2}\(1\)$/m);
    assert.match(r.stdout, /^Cluster\.CapacityTotal {2}\(64\.00MB\)$/m);
    assert.match(r.stdout, /^Cluster\.BytesReadAlluxio {2}\(\S+\)$/m);

    r = await cli('fsadmin', 'report', 'ufs');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Alluxio under storage system information:\\n${esc(`file://${ufs}/`)}\\s+on  /data\\s+\\(local, `));

    const json = JSON.parse((await cli('fsadmin', 'report', 'summary', '--json')).stdout) as { cluster: { liveWorkers: number; capacityBytes: number } };
    assert.equal(json.cluster.liveWorkers, 1);
    assert.equal(json.cluster.capacityBytes, 64 * 1024 * 1024);

    r = await cli('fsadmin');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: alluxio fsadmin/);
    assert.match(r.stdout, /report \[category\]/);
    r = await cli('fsadmin', 'report', 'journal');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown report category 'journal': expected one of summary, capacity, metrics, ufs/);
  });

  test('getConf prints one value, every key=value, sources and units as 2.x does', async () => {
    let r = await cli('getConf', 'alluxio.worker.page.store.sizes');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '64MB\n');
    r = await cli('getConf', '--unit', 'KB', 'alluxio.worker.page.store.sizes');
    assert.equal(r.stdout, '65536\n', r.stderr);
    r = await cli('getConf', '--unit', 'S', 'alluxio.worker.failure.detection.timeout');
    assert.equal(r.stdout, '3\n', r.stderr);
    r = await cli('getConf', '--unit', 'MB', 'alluxio.cluster.name');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /alluxio\.cluster\.name is a string, not a size/);
    r = await cli('getConf', '--source', 'alluxio.worker.page.store.sizes');
    assert.equal(r.stdout, `64MB (SITE_PROPERTY (${join(cc.confDir, 'alluxio-site.properties')}))\n`);
    r = await cli('getConf', '--master', 'alluxio.cluster.name');
    assert.equal(r.stdout, `${cc.clusterName}\n`);
    assert.match(r.stderr, /no master/);

    r = await cli('getConf');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.every((l) => /^alluxio\.[\w.-]+=/.test(l)), lines.find((l) => !/^alluxio\.[\w.-]+=/.test(l)));
    assert.ok(lines.includes(`alluxio.cluster.name=${cc.clusterName}`));
    assert.deepEqual(lines, [...lines].sort());
    r = await cli('getConf', '--source');
    assert.match(r.stdout, /^alluxio\.worker\.web\.port=30000 \(DEFAULT\)$/m);
    r = await runCli(['getConf', '--source', 'alluxio.worker.web.port'], { ...cc.env, ALLUXIO_JAVA_OPTS: '-Dalluxio.worker.web.port=31000' });
    assert.equal(r.stdout, '31000 (SYSTEM_PROPERTY)\n');

    r = await cli('getConf', 'alluxio.worker.page.store.sizez');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /alluxio\.worker\.page\.store\.sizez is not a valid configuration key \(did you mean 'alluxio\.worker\.page\.store\.sizes'\?\)/);
    // A 2.x key alluxio-ts accepts but does not use: an empty value (as for an unset key) and why.
    r = await cli('getConf', 'alluxio.master.journal.type');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '\n');
    assert.match(r.stderr, /ignores alluxio\.master\.journal\.type/);
  });

  test('format, formatJournal, formatMasters and formatWorker exit 0 and say what happens instead', async () => {
    for (const verb of ['format', 'formatJournal', 'formatMasters', 'formatWorker']) {
      const r = await cli(verb, ...(verb === 'format' ? ['-s'] : []));
      assert.equal(r.code, 0, `${verb}: ${r.stderr}`);
      assert.match(r.stdout, verb === 'formatWorker' ? /page store/ : /no journal/, verb);
    }
    // The page store is untouched and the mount still answers.
    const r = await cli('fs', 'cat', '/data/single.txt');
    assert.equal(r.stdout, 'single\n', r.stderr);
  });
});
