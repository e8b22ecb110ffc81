import type { HeadObjectCommandOutput, PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { ObjectMeta } from './under-file-system.js';

// S3 object metadata (ObjectMeta) kept natively by an S3 under-storage: the standard headers as
// PutObject/CreateMultipartUpload parameters, x-amz-meta-* as its Metadata map. Renames copy the
// object with its metadata (CopyObject's default), deletes drop it with the object.

const USER_PREFIX = 'x-amz-meta-';

type MetaParams = Pick<PutObjectCommandInput, 'ContentType' | 'CacheControl' | 'ContentDisposition' | 'ContentEncoding' | 'ContentLanguage' | 'Expires' | 'Metadata'>;

/** The PutObject / CreateMultipartUpload parameters that store `headers`. */
export function s3MetaParams(headers: Record<string, string> | undefined): MetaParams {
  if (!headers) return {};
  const p: MetaParams = {};
  const user: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith(USER_PREFIX)) user[k.slice(USER_PREFIX.length)] = v;
    else if (k === 'content-type') p.ContentType = v;
    else if (k === 'cache-control') p.CacheControl = v;
    else if (k === 'content-disposition') p.ContentDisposition = v;
    else if (k === 'content-encoding') p.ContentEncoding = v;
    else if (k === 'content-language') p.ContentLanguage = v;
    else if (k === 'expires') {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) p.Expires = new Date(t);
    }
  }
  if (Object.keys(user).length > 0) p.Metadata = user;
  return p;
}

/** The metadata a HeadObject answer shows, in ObjectMeta's lower-case header names. */
export function metaFromHead(h: HeadObjectCommandOutput): ObjectMeta {
  const headers: Record<string, string> = {};
  if (h.ContentType) headers['content-type'] = h.ContentType;
  if (h.CacheControl) headers['cache-control'] = h.CacheControl;
  if (h.ContentDisposition) headers['content-disposition'] = h.ContentDisposition;
  if (h.ContentEncoding) headers['content-encoding'] = h.ContentEncoding;
  if (h.ContentLanguage) headers['content-language'] = h.ContentLanguage;
  const expires = h.ExpiresString ?? h.Expires?.toUTCString();
  if (expires) headers['expires'] = expires;
  for (const [k, v] of Object.entries(h.Metadata ?? {})) headers[USER_PREFIX + k.toLowerCase()] = v;
  return { headers };
}
