// A STATIC_FILE mount table is written by hand: the worker checks each mount against its
// under-storage (a real s3rver process) when it loads the table and when the file changes, and
// logs what fails with the S3 error code, never the secret.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfiguration } from '../../src/conf/index.js';
import { startWorker, type RunningWorker } from '../../src/worker/worker-process.js';
import { freePort, waitFor } from '../support/etcd.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

describe('worker over a STATIC_FILE mount table', () => {
  let tmp: TempDir;
  let s3: S3TestServer;
  let worker: RunningWorker;
  let mountTable: string;
  const lines: string[] = [];
  const SECRET = `static-${randomBytes(6).toString('hex')}`;
  const mountLine = (path: string, uri: string, accessKey: string) =>
    `${path} ${uri} alluxio.underfs.s3.endpoint=${encodeURIComponent(s3.endpoint)} s3a.accessKeyId=${accessKey} s3a.secretKey=${SECRET}`;
  const errorsFor = (mount: string) => lines.map((l) => JSON.parse(l) as { level: number; mount?: string; err?: string }).filter((r) => r.level >= 50 && r.mount === mount);

  before(async () => {
    tmp = await makeTempDir('alluxio-static-check-');
    s3 = await startS3Server({ buckets: ['data'] });
    const conf = join(tmp.path, 'conf');
    mkdirSync(conf);
    mountTable = join(conf, 'mount_table');
    // Written by hand (plain text is allowed in a hand-written file; it is never printed).
    writeFileSync(mountTable, `${mountLine('/bad', 's3://data/', 'NO-SUCH-KEY')}\n${mountLine('/good', 's3://data/', 'S3RVER')}\n`, { mode: 0o600 });
    const http = await freePort();
    writeFileSync(join(conf, 'workers'), `127.0.0.1:${http}\n`);
    writeFileSync(join(conf, 'alluxio-site.properties'), [
      'alluxio.worker.membership.manager.type=STATIC',
      `alluxio.worker.static.membership.manager.config.file=${join(conf, 'workers')}`,
      'alluxio.mount.table.source=STATIC_FILE',
      `alluxio.mount.table.static.conf.file=${mountTable}`,
      'alluxio.worker.hostname=127.0.0.1',
      'alluxio.worker.bind.host=127.0.0.1',
      `alluxio.worker.http.server.port=${http}`,
      `alluxio.worker.rest.port=${await freePort()}`,
      `alluxio.worker.web.port=${await freePort()}`,
      `alluxio.worker.page.store.dirs=${join(tmp.path, 'pages')}`,
      'alluxio.worker.page.store.sizes=16MB',
      '',
    ].join('\n'));
    const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(s); } });
    worker = await startWorker(loadConfiguration({ env: { ALLUXIO_CONF_DIR: conf } }), log);
  });
  after(async () => {
    await worker?.close();
    await s3?.stop();
    await tmp?.cleanup();
  });

  test('a mount that fails its check is logged with the S3 code at load and after a change, never the secret', async () => {
    const bad = await waitFor('the check of /bad logged', () => errorsFor('/bad')[0], 20_000);
    assert.match(bad.err!, /cannot mount s3:\/\/data\/: .*InvalidAccessKeyId/);
    // The table is re-checked when the file changes: a new bad mount is reported too.
    writeFileSync(mountTable, `${mountLine('/good', 's3://data/', 'S3RVER')}\n${mountLine('/gone', 's3://no-such-bucket/', 'S3RVER')}\n`, { mode: 0o600 });
    const gone = await waitFor('the check of /gone logged', () => errorsFor('/gone')[0], 20_000);
    assert.match(gone.err!, /NoSuchBucket/);
    assert.deepEqual(errorsFor('/good'), [], 'a good mount was reported');
    assert.ok(!lines.join('').includes(SECRET), 'the secret is in the log');
  });
});
