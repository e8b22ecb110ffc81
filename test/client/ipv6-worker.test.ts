// Workers that listen and advertise on the IPv6 loopback (::1), reached through the protocol
// module's typed client and through the client library (STATIC membership lists [::1]:port).
// Every URL to them must bracket the host: `http://::1:28080` is not a URL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createClient } from '../../src/client/from-conf.js';
import { WORKER_REST, WorkerRestClient } from '../../src/common/protocol/index.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

const PAGE = 64 * 1024;
// A name with a space, %, +, &, = and non-ASCII characters: each must survive the URL. (# and ?
// reach the worker intact too, but a UFS URI cannot hold them: see the last check of the first test.)
const DIR = 'dir with space';
const NAME = 'ü 100% a+b&c=d 日本.bin';

async function drain(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('client: workers on ::1', () => {
  let tmp: TempDir;
  let ufs: string;
  let cluster: TestCluster;
  const data = randomBytes(3 * PAGE + 77);

  before(async () => {
    tmp = await makeTempDir('ipv6-worker-');
    ufs = join(tmp.path, 'ufs');
    mkdirSync(join(ufs, DIR), { recursive: true });
    writeFileSync(join(ufs, DIR, NAME), data);
    cluster = await startTestCluster({ dir: tmp.path, rootUfs: ufs, workers: 2, host: '::1' });
  });

  after(async () => {
    await cluster?.stop();
    await tmp?.cleanup();
  });

  test('the typed client reaches a worker that listens on ::1', async () => {
    const w = cluster.workers[0]!.info;
    assert.equal(w.address.Host, '::1');
    const http = new WorkerRestClient({ timeouts: { connectMs: 15_000, headersMs: 30_000, bodyMs: 30_000 } });
    try {
      const health = await http.send(w, 'GET', WORKER_REST.health);
      assert.equal(health.statusCode, 200);
      assert.equal(((await health.body.json()) as { status: string }).status, 'ok');
      const path = `/${DIR}/${NAME}`;
      const rows = await http.list(w, `/${DIR}`, false);
      assert.deepEqual(rows.map((r) => r.name), [NAME]);
      const info = await http.info(w, path);
      assert.equal(info.length, data.length);
      assert.equal(info.path, path);
      const whole = await http.read(w, path, 0, -1);
      assert.equal(whole.length, data.length);
      assert.ok((await drain(whole.body)).equals(data));
      assert.ok(whole.version, 'the answer names its UFS version');
      // A range across a page boundary, pinned to the version just served.
      const part = await http.read(w, path, PAGE - 10, 20, whole.version);
      assert.ok((await drain(part.body)).equals(data.subarray(PAGE - 10, PAGE + 10)));
      // The worker's refusal quotes the path it received: # and ? arrived as part of the value.
      await assert.rejects(http.info(w, `/${DIR}/x #1?.bin`), (e: Error) => e.message.includes(`${DIR}/x #1?.bin'`));
    } finally {
      await http.close();
    }
  });

  test('the client library reads and writes through a ring of ::1 workers', async () => {
    const client = await createClient(cluster.conf);
    try {
      const owners = client.owners(`/${DIR}/${NAME}`, 2);
      assert.equal(owners.length, 2);
      for (const o of owners) assert.equal(o.address.Host, '::1');
      const { stream } = await client.read(`/${DIR}/${NAME}`);
      assert.ok((await drain(stream)).equals(data));
      const body = randomBytes(PAGE + 5);
      const written = `/${DIR}/new 2%+.bin`;
      const entry = await client.write(written, body);
      assert.equal(entry.length, body.length);
      assert.ok(readFileSync(join(ufs, DIR, 'new 2%+.bin')).equals(body), 'the bytes reached the UFS under the exact name');
      assert.deepEqual((await client.list(`/${DIR}`)).map((e) => e.name).sort(), [NAME, 'new 2%+.bin'].sort());
      await client.delete(written);
      assert.deepEqual((await client.list(`/${DIR}`)).map((e) => e.name), [NAME]);
    } finally {
      await client.close();
    }
  });
});
