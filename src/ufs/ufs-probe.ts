import { MountError, toAlluxioError } from '../common/errors.js';
import { isSecretKey } from '../common/secrets.js';
import type { PropertyName } from '../conf/property-keys.js';
import { createUfs, parseUfsUri } from './registry.js';
import type { UfsOptions } from './under-file-system.js';

const TIMEOUT_PROPERTY = 'alluxio.mount.check.timeout' satisfies PropertyName;

/**
 * One real request against a would-be mount's root, so wrong credentials, a missing bucket or an
 * unreachable endpoint are found before the mount is stored. The request is a one-entry list
 * of the root (S3: ListObjectsV2 with MaxKeys=1 under the prefix, whose error body names the S3
 * code, where a HEAD's has none; local: a readdir), then a getStatus to refuse a file. The whole
 * check is bounded by `timeoutMs`. Failures are MountErrors that name the S3 error code or the
 * endpoint, with credential values cut out.
 */
export async function probeUfsRoot(rootUri: string, options: UfsOptions, timeoutMs: number): Promise<void> {
  const { scheme } = parseUfsUri(rootUri);
  const s3 = scheme === 's3' || scheme === 's3a' ? await import('./s3-config.js') : undefined;
  const bounded = s3 ? s3BoundedOptions(s3.S3_KEYS, options, timeoutMs) : options;
  const where = s3 ? `the S3 endpoint ${s3Endpoint(s3.S3_KEYS, options)}` : 'the under-storage';
  const ufs = createUfs(rootUri, bounded);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MountError(`cannot mount ${rootUri}: ${where} did not answer within ${timeoutMs} ms (${TIMEOUT_PROPERTY})`)), timeoutMs + 1000);
  });
  try {
    await Promise.race([check(ufs, rootUri), deadline]);
  } catch (err) {
    throw scrubSecrets(refusal(err, rootUri, where), options);
  } finally {
    clearTimeout(timer);
    await ufs.close().catch(() => {});
  }
}

function refusal(err: unknown, rootUri: string, where: string): MountError {
  if (err instanceof MountError) return err;
  const e = toAlluxioError(err);
  switch (e.code) {
    case 'ALX_ERR_NOT_FOUND': return new MountError(`cannot mount ${rootUri}: it does not exist in the under-storage (${e.message})`);
    case 'ALX_ERR_PERMISSION_DENIED': return new MountError(`cannot mount ${rootUri}: ${where} refused the credentials or the request (${e.message})`);
    case 'ALX_ERR_UFS_UNAVAILABLE':
    case 'ALX_ERR_UFS_TIMEOUT': return new MountError(`cannot mount ${rootUri}: ${where} is unreachable (${e.message})`);
    case 'ALX_ERR_NOT_A_DIRECTORY': return new MountError(`cannot mount ${rootUri}: it is a file, expected a directory or bucket prefix`);
    default: return new MountError(`cannot mount ${rootUri}: the check against ${where} failed (${e.code}: ${e.message})`);
  }
}

/** The error with every credential value (isSecretKey) cut out of its message: a store may echo its input. */
function scrubSecrets(err: MountError, options: UfsOptions): MountError {
  let msg = err.message;
  const secrets = Object.entries(options).filter(([k, v]) => isSecretKey(k) && v.length > 0).map(([, v]) => v);
  for (const s of secrets.sort((a, b) => b.length - a.length)) msg = msg.split(s).join('***');
  return msg === err.message ? err : new MountError(msg);
}

async function check(ufs: ReturnType<typeof createUfs>, rootUri: string): Promise<void> {
  await ufs.list(rootUri, { limit: 1 });
  const st = await ufs.getStatus(rootUri);
  if (!st.isDirectory) throw new MountError(`cannot mount ${rootUri}: it is a file, expected a directory or bucket prefix`);
}

type S3Keys = typeof import('./s3-config.js').S3_KEYS;

/** At most two attempts, each within half the check's bound (a mount's own longer timeouts do not apply here). */
function s3BoundedOptions(keys: S3Keys, options: UfsOptions, timeoutMs: number): UfsOptions {
  const each = `${Math.max(50, Math.floor(timeoutMs / 2))}ms`;
  return { ...options, [keys.maxErrorRetry]: '1', [keys.requestTimeout]: each, [keys.connectTimeout]: each };
}

/** The endpoint as configured (without any user:password), else AWS's for the region. */
function s3Endpoint(keys: S3Keys, options: UfsOptions): string {
  const ep = options[keys.endpoint]?.trim();
  if (!ep) return `https://s3.${options[keys.region]?.trim() || 'us-east-1'}.amazonaws.com`;
  try {
    const u = new URL(ep);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return ep;
  }
}
