import { AlluxioError } from '../../common/errors.js';
import type { FileEntry, FileService } from '../file-service.js';
import { etagOf } from './get-object.js';
import { withStoredEtags } from './object-metadata.js';
import { S3Error } from './s3-errors.js';
import { intValue } from './s3-request.js';
import { doc, el, isoDate } from './s3-xml.js';

// ListObjects (v1), ListObjectsV2 and ListObjectVersions over FileService.list. Keys are the paths
// below the bucket; a directory is the key `dir/` (a common prefix with delimiter '/', and listed
// itself only when empty, as a directory marker). Continuation tokens are opaque: base64 of the
// last key or common prefix returned.

export interface ListedObject {
  key: string;
  entry: FileEntry;
}

export interface ListResult {
  objects: ListedObject[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned, when truncated. */
  last?: string;
}

const MAX_KEYS = 1000;

/** Lists keys of a bucket under `prefix`, after `after`, grouped by `delimiter`, at most maxKeys items. */
export async function listKeys(files: FileService, bucket: string, prefix: string, delimiter: string, after: string, maxKeys: number): Promise<ListResult> {
  const bucketPath = '/' + bucket;
  const b = await files.stat(bucketPath).catch((err) => {
    throw (err as AlluxioError).code === 'ALX_ERR_NOT_FOUND' ? new S3Error('NoSuchBucket', `the bucket ${bucket} does not exist`, '/' + bucket) : err;
  });
  if (b.type !== 'directory') throw new S3Error('NoSuchBucket', `the bucket ${bucket} does not exist`, '/' + bucket);
  // max-keys=0 asks for nothing: S3 answers an empty page that is not truncated (and has no token).
  if (maxKeys === 0) return { objects: [], prefixes: [], truncated: false };
  const dirPrefix = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  const listPath = dirPrefix ? `${bucketPath}/${dirPrefix.slice(0, -1)}` : bucketPath;
  let entries: FileEntry[];
  try {
    // A prefix with an empty, '.' or '..' segment names no key (checkKey refuses them): list nothing.
    const badPrefix = dirPrefix !== '' && dirPrefix.slice(0, -1).split('/').some((seg) => seg === '' || seg === '.' || seg === '..');
    entries = badPrefix ? [] : await files.list(listPath, delimiter !== '/');
  } catch (err) {
    const code = (err as AlluxioError).code;
    if (code === 'ALX_ERR_NOT_FOUND' || code === 'ALX_ERR_NOT_A_DIRECTORY' || code === 'ALX_ERR_INVALID_PATH') entries = [];
    else throw err;
  }
  const withChildren = new Set<string>();
  for (const e of entries) withChildren.add(e.path.slice(0, e.path.lastIndexOf('/')));
  const skipAfterPrefix = delimiter !== '' && after.endsWith(delimiter);
  const keys: ListedObject[] = [];
  const base = bucketPath.length + 1;
  for (const e of entries) {
    if (e.path.length <= base) continue;
    const isDir = e.type === 'directory';
    // In a recursive listing a directory with entries is implied by its keys.
    if (isDir && delimiter !== '/' && withChildren.has(e.path)) continue;
    const key = isDir ? e.path.slice(base) + '/' : e.path.slice(base);
    if (!key.startsWith(prefix) || key <= after || key === prefix && isDir && delimiter === '/') continue;
    if (skipAfterPrefix && key.startsWith(after)) continue;
    keys.push({ key, entry: e });
  }
  keys.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));

  const out: ListResult = { objects: [], prefixes: [], truncated: false };
  let count = 0;
  let lastPrefix = '';
  for (const k of keys) {
    const cp = commonPrefix(k.key, prefix, delimiter);
    if (cp !== undefined && cp === lastPrefix) continue;
    if (count === maxKeys) {
      out.truncated = true;
      break;
    }
    count++;
    if (cp !== undefined) {
      out.prefixes.push(cp);
      lastPrefix = cp;
      out.last = cp;
    } else {
      out.objects.push(k);
      out.last = k.key;
    }
  }
  if (!out.truncated) delete out.last;
  await withStoredEtags(files, out.objects);
  return out;
}

function commonPrefix(key: string, prefix: string, delimiter: string): string | undefined {
  if (!delimiter) return undefined;
  const i = key.indexOf(delimiter, prefix.length);
  return i < 0 ? undefined : key.slice(0, i + delimiter.length);
}

export function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeToken(token: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(token) || token.length > 2000) throw new S3Error('InvalidArgument', 'the continuation token provided is incorrect');
  return Buffer.from(token, 'base64url').toString('utf8');
}

function maxKeysOf(q: URLSearchParams): number {
  return Math.min(intValue(q.get('max-keys'), 'max-keys', 2_147_483_647) ?? MAX_KEYS, MAX_KEYS);
}

function encoder(q: URLSearchParams): (s: string) => string {
  const et = q.get('encoding-type');
  if (et === null) return (s) => s;
  if (et !== 'url') throw new S3Error('InvalidArgument', `invalid encoding-type ${JSON.stringify(et.slice(0, 50))}: only 'url' is supported`);
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/');
}

/** The <Contents> (or <Version>) elements; `owner` undefined leaves <Owner> out (v2 without fetch-owner=true). */
function contents(objects: ListedObject[], enc: (s: string) => string, owner: string | undefined, version: boolean): string {
  const ownerXml = owner === undefined ? '' : `<Owner>${el('ID', owner)}${el('DisplayName', owner)}</Owner>`;
  let s = '';
  for (const o of objects) {
    const inner = el('Key', enc(o.key)) + (version ? '<VersionId>null</VersionId><IsLatest>true</IsLatest>' : '') +
      el('LastModified', isoDate(o.entry.lastModifiedMs)) + el('ETag', etagOf(o.entry)) + el('Size', o.entry.length) +
      '<StorageClass>STANDARD</StorageClass>' + ownerXml;
    s += version ? `<Version>${inner}</Version>` : `<Contents>${inner}</Contents>`;
  }
  return s;
}

function prefixes(list: string[], enc: (s: string) => string): string {
  let s = '';
  for (const p of list) s += `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`;
  return s;
}

function head(bucket: string, q: URLSearchParams, enc: (s: string) => string, maxKeys: number): string {
  const delimiter = q.get('delimiter') ?? '';
  return el('Name', bucket) + el('Prefix', enc(q.get('prefix') ?? '')) + el('MaxKeys', maxKeys) +
    (delimiter ? el('Delimiter', enc(delimiter)) : '') + (q.get('encoding-type') ? el('EncodingType', 'url') : '');
}

/** GET /bucket (v1, marker-based). */
export async function listObjectsV1(files: FileService, bucket: string, q: URLSearchParams, owner: string): Promise<string> {
  const enc = encoder(q);
  const maxKeys = maxKeysOf(q);
  const marker = q.get('marker') ?? '';
  const r = await listKeys(files, bucket, q.get('prefix') ?? '', q.get('delimiter') ?? '', marker, maxKeys);
  return doc('ListBucketResult', head(bucket, q, enc, maxKeys) + el('Marker', enc(marker)) + el('IsTruncated', r.truncated) +
    (r.truncated ? el('NextMarker', enc(r.last!)) : '') + contents(r.objects, enc, owner, false) + prefixes(r.prefixes, enc));
}

/** GET /bucket?list-type=2 (continuation tokens). */
export async function listObjectsV2(files: FileService, bucket: string, q: URLSearchParams, owner: string): Promise<string> {
  const enc = encoder(q);
  const maxKeys = maxKeysOf(q);
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after') ?? '';
  const after = token !== null ? decodeToken(token) : startAfter;
  const r = await listKeys(files, bucket, q.get('prefix') ?? '', q.get('delimiter') ?? '', after, maxKeys);
  return doc('ListBucketResult', head(bucket, q, enc, maxKeys) + el('KeyCount', r.objects.length + r.prefixes.length) +
    (token !== null ? el('ContinuationToken', token) : '') + (startAfter ? el('StartAfter', enc(startAfter)) : '') +
    el('IsTruncated', r.truncated) + (r.truncated ? el('NextContinuationToken', encodeToken(r.last!)) : '') +
    contents(r.objects, enc, q.get('fetch-owner') === 'true' ? owner : undefined, false) + prefixes(r.prefixes, enc));
}

/** GET /bucket?versions: an unversioned bucket, each key once with VersionId null. */
export async function listObjectVersions(files: FileService, bucket: string, q: URLSearchParams, owner: string): Promise<string> {
  const enc = encoder(q);
  const maxKeys = maxKeysOf(q);
  const keyMarker = q.get('key-marker') ?? '';
  const r = await listKeys(files, bucket, q.get('prefix') ?? '', q.get('delimiter') ?? '', keyMarker, maxKeys);
  return doc('ListVersionsResult', head(bucket, q, enc, maxKeys) + el('KeyMarker', enc(keyMarker)) + '<VersionIdMarker></VersionIdMarker>' +
    el('IsTruncated', r.truncated) + (r.truncated ? el('NextKeyMarker', enc(r.last!)) + '<NextVersionIdMarker>null</NextVersionIdMarker>' : '') +
    contents(r.objects, enc, owner, true) + prefixes(r.prefixes, enc));
}
