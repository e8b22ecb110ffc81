// Conditional writes as S3 has them since 2024, through boto3 with SigV4 on, against two worker
// processes (requests go to both, so keys owned by the other worker are forwarded): PutObject and
// CompleteMultipartUpload with If-None-Match: * and If-Match: <etag>, and races of conditional
// writes of one key (exactly one wins; the object is the winner's bytes).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awsEnv, python, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

const SCRIPT = fileURLToPath(new URL('./conditional_writes.py', import.meta.url));

describe('conditional writes (boto3)', { timeout: 600_000 }, () => {
  let c: S3TestCluster;

  before(async () => {
    c = await startS3TestCluster({ workers: 2, auth: true });
  });
  after(async () => c?.stop());

  test('If-None-Match: * and If-Match on PutObject and CompleteMultipartUpload', async () => {
    const r = await python(SCRIPT, ['bucket', ...c.endpoints], awsEnv(c.tmp.path), 300_000);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(out.create[0], out.create[1], 'the ETag of a conditional create is the MD5 of the body');
    assert.deepEqual(out.create_again, [412, 'PreconditionFailed']);
    assert.equal(out.kept_after_412, true);
    assert.deepEqual(out.bad_if_none_match, [501, 'NotImplemented']);
    assert.deepEqual(out.if_match_current, [200, true]);
    assert.deepEqual(out.if_match_stale, [412, 'PreconditionFailed']);
    assert.equal(out.kept_after_stale, true);
    assert.deepEqual(out.if_match_missing, [404, 'NoSuchKey']);
    assert.equal(out.missing_still_missing[0], 404);
    assert.deepEqual(out.race.statuses, [200, 412, 412, 412, 412, 412, 412, 412], JSON.stringify(out.race));
    assert.deepEqual(out.race.codes, ['PreconditionFailed']);
    assert.equal(out.race.winner_body, true);
    assert.deepEqual(out.mpu_if_none_match_exists, [412, 'PreconditionFailed']);
    assert.equal(out.mpu_kept, true);
    assert.deepEqual(out.mpu_if_match_stale, [412, 'PreconditionFailed']);
    assert.deepEqual(out.mpu_if_match_current, [200, null]);
    assert.equal(out.mpu_replaced, true);
    assert.deepEqual(out.mpu_race.statuses, [200, 412], JSON.stringify(out.mpu_race));
    assert.equal(out.mpu_race.winner_body, true);
    // Refused writes leave no temp file in the UFS directory.
    assert.deepEqual(readdirSync(join(c.ufsDir, 'bucket', 'cond')).sort(), ['k', 'mpu-race', 'race']);
  });
});
