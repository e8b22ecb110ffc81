import { AlluxioError } from '../../common/errors.js';
import { readSmallBody, requestBody } from './payload.js';
import { sendEmpty, sendXml, type S3Call } from './s3-context.js';
import { S3Error } from './s3-errors.js';
import { doc, el, isoDate } from './s3-xml.js';

// Bucket-level operations. Buckets are the top-level directories of the namespace: child mount
// points, and the root mount's top-level directories (DESIGN.md §7, §8).

/** GET / */
export async function listBuckets(c: S3Call): Promise<void> {
  const entries = await c.svc.deps.files.list('/');
  let buckets = '';
  for (const e of entries) {
    if (e.type === 'directory' && e.path.lastIndexOf('/') === 0) buckets += `<Bucket>${el('Name', e.name)}${el('CreationDate', isoDate(e.lastModifiedMs))}</Bucket>`;
  }
  const u = c.auth.user;
  sendXml(c, 200, doc('ListAllMyBucketsResult', `<Owner>${el('ID', u)}${el('DisplayName', u)}</Owner><Buckets>${buckets}</Buckets>`));
}

/** Throws NoSuchBucket unless /bucket is a directory. */
export async function requireBucket(c: S3Call): Promise<void> {
  const b = c.t.bucket;
  try {
    const e = await c.svc.deps.files.stat('/' + b);
    if (e.type === 'directory') return;
  } catch (err) {
    if ((err as AlluxioError).code !== 'ALX_ERR_NOT_FOUND') throw err;
  }
  throw new S3Error('NoSuchBucket', `the bucket ${b} does not exist`, '/' + b);
}

/** HEAD /bucket */
export async function headBucket(c: S3Call): Promise<void> {
  await requireBucket(c);
  sendEmpty(c, 200, { 'x-amz-bucket-region': 'us-east-1' });
}

/** PUT /bucket: a new top-level directory of the root mount. */
export async function createBucket(c: S3Call): Promise<void> {
  const b = c.t.bucket;
  const files = c.svc.deps.files;
  await readSmallBody(requestBody(c.req, c.auth), 64 << 10); // CreateBucketConfiguration: region only, ignored
  const exists = await requireBucket(c).then(() => true, () => false);
  if (exists) throw new S3Error('BucketAlreadyOwnedByYou', `the bucket ${b} already exists`, '/' + b);
  if (!files.ns.mounts.root) {
    throw new S3Error('InvalidRequest', `cannot create bucket ${b}: there is no root mount to create it in; buckets are mount points here, add one with 'alluxio mount add --path /${b} --ufs-uri <uri>'`, '/' + b);
  }
  await files.mkdir('/' + b);
  sendEmpty(c, 200, { location: '/' + b });
}

/** DELETE /bucket: removes an empty top-level directory of the root mount. */
export async function deleteBucket(c: S3Call): Promise<void> {
  const b = c.t.bucket;
  const files = c.svc.deps.files;
  if (files.ns.isMountPoint('/' + b)) {
    throw new S3Error('InvalidRequest', `bucket ${b} is a mount point: remove it with 'alluxio mount remove --path /${b}'`, '/' + b);
  }
  await requireBucket(c);
  const children = await files.list('/' + b);
  if (children.length > 0) throw new S3Error('BucketNotEmpty', `the bucket ${b} is not empty`, '/' + b);
  await files.delete('/' + b);
  sendEmpty(c, 204);
}

/** GET /bucket?location */
export async function bucketLocation(c: S3Call): Promise<void> {
  await requireBucket(c);
  sendXml(c, 200, doc('LocationConstraint', ''));
}

/** GET /bucket?versioning: never enabled. */
export async function bucketVersioning(c: S3Call): Promise<void> {
  await requireBucket(c);
  sendXml(c, 200, doc('VersioningConfiguration', ''));
}
