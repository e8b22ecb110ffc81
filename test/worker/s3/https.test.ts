// The S3 API over HTTPS on alluxio.worker.s3.https.port when a certificate and key are configured.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { freePort } from '../../support/workers.js';
import { run, startS3TestCluster } from '../../support/s3-clients.js';
import { makeTempDir } from '../../support/tmp.js';

describe('S3 over HTTPS', { timeout: 600_000 }, () => {
  test('serves the same API on the HTTPS port with the configured certificate', async () => {
    const tmp = await makeTempDir('alluxio-s3-tls-');
    try {
      const key = join(tmp.path, 'key.pem');
      const cert = join(tmp.path, 'cert.pem');
      const r = await run('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1']);
      assert.equal(r.code, 0, r.stderr);
      const port = await freePort();
      const c = await startS3TestCluster({ properties: { 'alluxio.worker.s3.https.cert.file': cert, 'alluxio.worker.s3.https.key.file': key, 'alluxio.worker.s3.https.port': String(port) } });
      try {
        assert.equal(c.s3[0]!.httpsPort, port);
        writeFileSync(join(c.ufsDir, 'bucket', 'tls.txt'), 'over tls');
        const agent = new Agent({ connect: { rejectUnauthorized: false } });
        const res = await request(`https://127.0.0.1:${port}/bucket/tls.txt`, { dispatcher: agent });
        assert.equal(res.statusCode, 200);
        assert.equal(await res.body.text(), 'over tls');
        await agent.close();
      } finally {
        await c.stop();
      }
    } finally {
      await tmp.cleanup();
    }
  });
});
