import { AlluxioError, InvalidArgumentError, toAlluxioError } from '../common/errors.js';
import { isSecretKey, redactOptions } from '../common/secrets.js';
import { validateMountPoint } from '../mount/mount-point.js';
import type { MountStore } from '../mount/mount-store.js';
import { probeUfsRoot } from '../ufs/ufs-probe.js';
import type { UfsOptions } from '../ufs/under-file-system.js';

/** A mount as the coordinator's REST API shows it (the shape the operator reads). */
export interface MountView {
  path: string;
  ufs: string;
  /** Secret values replaced by `***`. */
  options: Record<string, string>;
}

/**
 * Mount administration (the coordinator's REST API and `alluxio mount add`): a new mount is
 * checked against its UFS first with one real request (probeUfsRoot, with the mount's own
 * options over the global ones), so bad credentials, a missing bucket or an unreachable endpoint
 * fail here with the S3 error code or the endpoint named, before anything is stored. Secret
 * option values never appear in what this returns or throws.
 */
export class MountAdmin {
  constructor(private readonly store: MountStore, private readonly globalUfsOptions: UfsOptions = {}, private readonly checkTimeoutMs = 10_000) {}

  async list(): Promise<MountView[]> {
    return (await this.store.list()).map((m) => ({ path: m.path, ufs: m.ufsUri, options: redactOptions(m.options) }));
  }

  async add(input: unknown): Promise<MountView> {
    const body = (input ?? {}) as { path?: unknown; ufs?: unknown; ufsUri?: unknown; options?: unknown };
    const path = body.path;
    const ufs = body.ufs ?? body.ufsUri;
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('mount needs "path", e.g. {"path":"/s3","ufs":"s3://bucket/dir/"}');
    if (typeof ufs !== 'string' || ufs === '') throw new InvalidArgumentError('mount needs "ufs", e.g. {"path":"/s3","ufs":"s3://bucket/dir/"}');
    const options: Record<string, string> = {};
    if (body.options !== undefined) {
      if (body.options === null || typeof body.options !== 'object' || Array.isArray(body.options)) {
        throw new InvalidArgumentError('mount "options" must be an object of string values');
      }
      for (const [k, v] of Object.entries(body.options as Record<string, unknown>)) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          throw new InvalidArgumentError(`mount option '${k}' must be a string`);
        }
        options[k] = String(v);
      }
    }
    const secrets = Object.entries({ ...this.globalUfsOptions, ...options }).filter(([k]) => isSecretKey(k)).map(([, v]) => v);
    try {
      const mp = validateMountPoint({ path, ufsUri: ufs, options });
      await probeUfsRoot(mp.ufsUri, { ...this.globalUfsOptions, ...mp.options }, this.checkTimeoutMs);
      await this.store.add(mp);
      return { path: mp.path, ufs: mp.ufsUri, options: redactOptions(mp.options) };
    } catch (err) {
      throw scrubError(err, secrets);
    }
  }

  async remove(path: unknown): Promise<void> {
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError("unmount needs the query parameter 'path', e.g. ?path=/s3");
    await this.store.remove(path);
  }

}

/** The same error with every secret value cut out of its message (a UFS error may echo its input). */
function scrubError(err: unknown, secrets: string[]): AlluxioError {
  const e = toAlluxioError(err);
  let msg = e.message;
  for (const s of secrets.filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) msg = msg.split(s).join('***');
  return msg === e.message ? e : new AlluxioError(e.code, msg);
}
