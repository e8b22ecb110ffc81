import { AlluxioError, InvalidArgumentError, MountError, toAlluxioError } from '../common/errors.js';
import { isSecretKey, redactOptions } from '../common/secrets.js';
import { validateMountPoint } from '../mount/mount-point.js';
import type { MountStore } from '../mount/mount-store.js';
import { createUfs } from '../ufs/registry.js';
import type { UfsOptions } from '../ufs/under-file-system.js';

/** A mount as the coordinator's REST API shows it (the shape the operator reads). */
export interface MountView {
  path: string;
  ufs: string;
  /** Secret values replaced by `***`. */
  options: Record<string, string>;
}

/**
 * Mount administration for the coordinator: a new mount is checked against its UFS first (a
 * getStatus of its root, with the mount's own options over the global ones) so bad credentials
 * or a missing bucket fail here with the UFS's error, before anything is stored. Secret option
 * values never appear in what this returns or throws.
 */
export class MountAdmin {
  constructor(private readonly store: MountStore, private readonly globalUfsOptions: UfsOptions = {}) {}

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
    const secrets = Object.entries(options).filter(([k]) => isSecretKey(k)).map(([, v]) => v);
    try {
      const mp = validateMountPoint({ path, ufsUri: ufs, options });
      await this.checkUfs(mp.ufsUri, mp.options);
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

  private async checkUfs(ufsUri: string, options: Record<string, string>): Promise<void> {
    const ufs = createUfs(ufsUri, { ...this.globalUfsOptions, ...options });
    try {
      const s = await ufs.getStatus(ufsUri);
      if (!s.isDirectory) throw new MountError(`cannot mount ${ufsUri}: it is a file, expected a directory or bucket prefix`);
    } catch (err) {
      const e = toAlluxioError(err);
      if (e.code === 'ALX_ERR_NOT_FOUND') throw new MountError(`cannot mount ${ufsUri}: it does not exist in the under-storage (${e.message})`);
      throw e;
    } finally {
      await ufs.close().catch(() => {});
    }
  }
}

/** The same error with every secret value cut out of its message (a UFS error may echo its input). */
function scrubError(err: unknown, secrets: string[]): AlluxioError {
  const e = toAlluxioError(err);
  let msg = e.message;
  for (const s of secrets.filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) msg = msg.split(s).join('***');
  return msg === e.message ? e : new AlluxioError(e.code, msg);
}
