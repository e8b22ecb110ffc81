// boto3 (Debian python3-boto3) with SigV4 verification on: a paginated listing of 5,000 keys with a
// delimiter, presigned GETs (valid, expired, tampered), conditional GETs and versions listing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awsEnv, python, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

const SCRIPT = fileURLToPath(new URL('./boto3_checks.py', import.meta.url));
const KEYS = 5000;

describe('boto3', { timeout: 600_000 }, () => {
  let c: S3TestCluster;

  before(async () => {
    c = await startS3TestCluster({ workers: 2, auth: true });
    // The keys are written straight into the UFS directory: the test is about listing them.
    const dir = join(c.ufsDir, 'bucket', 'many');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < KEYS; i++) writeFileSync(join(dir, `key-${String(i).padStart(5, '0')}`), String(i));
    for (const sub of ['sub-a', 'sub-b']) {
      mkdirSync(join(dir, sub), { recursive: true });
      writeFileSync(join(dir, sub, 'x'), 'x');
    }
  });
  after(async () => c?.stop());

  test('listing, presigned and conditional requests behave as on S3', async () => {
    const r = await python(SCRIPT, [c.endpoints[0]!, 'bucket', 'many/'], awsEnv(c.tmp.path), 100_000);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(out.listing.keys, KEYS);
    assert.equal(out.listing.unique, KEYS);
    assert.equal(out.listing.sorted, true);
    assert.deepEqual(out.listing.prefixes, ['many/sub-a/', 'many/sub-b/']);
    assert.ok(out.listing.pages >= 5, `paginated (${out.listing.pages} pages)`);
    assert.deepEqual(out.listing.first, ['many/key-00000', 'many/key-00001']);
    assert.equal(out.listing_v1_recursive, KEYS + 2);
    assert.equal(out.get_equal, true);
    assert.equal(out.presigned_equal, true);
    assert.equal(out.expired[0], 403);
    assert.match(out.expired[1], /<Code>AccessDenied<\/Code>/);
    assert.equal(out.tampered_presigned[0], 403);
    assert.match(out.tampered_presigned[1], /<Code>(SignatureDoesNotMatch|AuthorizationHeaderMalformed)<\/Code>/);
    assert.equal(out.if_none_match_same, 304);
    assert.equal(out.if_none_match_other, 200);
    assert.equal(out.if_match_other, 412);
    assert.equal(out.if_match_same, 200);
    assert.equal(out.range, true);
    assert.deepEqual(out.versions, [['boto/obj.bin', 'null']]);
    assert.equal(out.deleted, true);
  });
});
