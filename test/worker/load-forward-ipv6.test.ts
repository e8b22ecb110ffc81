// A worker forwards the alluxiofs load API (GET /v1/load?opType=submit|progress) to the
// coordinator named by alluxio.coordinator.hostname, through the protocol module (URLs from
// url.ts, one HTTP setup). With the coordinator on the IPv6 loopback the origin must bracket the
// host: `http://::1:19999/api/v1/load` is not a URL, so every load call used to answer 503.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildUrl, httpOrigin, PARAM, WORKER_REST } from '../../src/common/protocol/index.js';
import type { RunningWorker } from '../../src/worker/worker-process.js';
import { CoordinatorProcess, startInProcessWorker, writeEtcdConf } from '../cluster/harness.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

describe('worker: /v1/load forwarded to a coordinator on ::1', { timeout: 180_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let coord: CoordinatorProcess | undefined;
  let worker: RunningWorker | undefined;
  const files = [randomBytes(70_000), randomBytes(5)];

  before(async () => {
    tmp = await makeTempDir('load-ipv6-');
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(join(ufs, 'set'), { recursive: true });
    files.forEach((b, i) => writeFileSync(join(ufs, 'set', `f${i}.bin`), b));
    etcd = await startEtcd();
    const coordPort = await freePort();
    const c = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.coordinator.hostname': '::1',
      // Both stacks: the harness checks the coordinator's health on 127.0.0.1, the worker calls ::1.
      'alluxio.coordinator.bind.host': '::',
      'alluxio.coordinator.web.port': String(coordPort),
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.user.network.connect.timeout': '5s',
    });
    coord = await CoordinatorProcess.start(c, coordPort);
    worker = await startInProcessWorker(c, tmp.path, 0);
  });

  after(async () => {
    await worker?.close().catch(() => {});
    await coord?.kill();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('submit starts the coordinator job and progress reports it done, in the shapes alluxiofs reads', async () => {
    const rest = httpOrigin(worker!.info.address.Host, worker!.info.address.HttpServerPort);
    const call = async (opType: string) => {
      const r = await fetch(buildUrl(rest, WORKER_REST.load, { query: { [PARAM.path]: '/set', [PARAM.opType]: opType } }));
      return { status: r.status, json: await r.json() as Record<string, unknown> };
    };
    const submit = await call('submit');
    assert.equal(submit.status, 200, JSON.stringify(submit.json));
    assert.equal(submit.json.success, true);
    const done = await waitFor('the load job to end', async () => {
      const p = await call('progress');
      assert.equal(p.status, 200, JSON.stringify(p.json));
      return p.json.jobState === 'SUCCEEDED' || p.json.jobState === 'FAILED' ? p.json : undefined;
    }, 90_000, 200);
    assert.equal(done.jobState, 'SUCCEEDED', JSON.stringify(done));
    assert.equal(done.files, 2);
    assert.equal(done.filesLoaded, 2);
    assert.equal(done.bytesTotal, files[0]!.length + files[1]!.length);
  });
});
