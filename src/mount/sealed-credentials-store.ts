import { CREDENTIALS_KEY_PROPERTY, isSealed, type CredentialCipher } from '../common/credential-cipher.js';
import { InvalidConfError, MountError } from '../common/errors.js';
import { lazyLogger, type Logger } from '../common/logging.js';
import { isSecretKey } from '../common/secrets.js';
import { validateMountPoint, type MountPoint } from './mount-point.js';
import type { MountStore } from './mount-store.js';

export interface SealedCredentialsOptions {
  /** The key; undefined when alluxio.mount.credentials.encryption.key.file is unset. */
  cipher: CredentialCipher | undefined;
  /** alluxio.mount.credentials.plaintext.allowed: store credentials unencrypted when there is no key. */
  allowPlaintext: boolean;
  /**
   * false: list() and watch() return credentials as stored (sealed), for callers that only print
   * them redacted (`mount list`) and so need no key. Default true.
   */
  decrypt?: boolean;
  logger?: Logger;
}

/**
 * Encrypts mount credentials (the options isSecretKey names, the same rule that redacts them)
 * on their way into a store and decrypts them on the way out, so neither etcd nor the static
 * mount table holds them in plain text. Values stored in plain text before encryption was set up
 * are still read. Without a key, a mount with credentials is refused unless plain text is allowed.
 */
export class SealedCredentialsStore implements MountStore {
  readonly source: MountStore['source'];
  private readonly log: Logger;
  private warnedPlaintext = false;

  constructor(private readonly inner: MountStore, private readonly opts: SealedCredentialsOptions) {
    this.source = inner.source;
    this.log = opts.logger ?? lazyLogger('mount');
  }

  async list(): Promise<MountPoint[]> {
    return (await this.inner.list()).map((m) => this.open(m));
  }

  async add(mount: MountPoint): Promise<void> {
    await this.inner.add(this.seal(validateMountPoint(mount)));
  }

  remove(path: string): Promise<void> {
    return this.inner.remove(path);
  }

  /** A mount whose credentials cannot be decrypted is left out of the update, with an error logged. */
  watch(listener: (mounts: MountPoint[]) => void): () => void {
    return this.inner.watch((mounts) => {
      const out: MountPoint[] = [];
      for (const m of mounts) {
        try {
          out.push(this.open(m));
        } catch (err) {
          this.log.error({ mount: m.path, err: (err as Error).message }, 'mount left out: its credentials cannot be decrypted');
        }
      }
      listener(out);
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private seal(mp: MountPoint): MountPoint {
    const secretKeys = Object.keys(mp.options).filter(isSecretKey);
    if (secretKeys.length === 0) return mp;
    const { cipher } = this.opts;
    if (!cipher) {
      if (!this.opts.allowPlaintext) {
        throw new MountError(
          `mount ${mp.path} has credentials (${secretKeys.join(', ')}) but no key to encrypt them: set ${CREDENTIALS_KEY_PROPERTY} ` +
          'to a file holding a 32-byte key (the same file for every process), or allow plain text with alluxio.mount.credentials.plaintext.allowed=true',
        );
      }
      if (!this.warnedPlaintext) {
        this.warnedPlaintext = true;
        this.log.warn({ mount: mp.path }, `storing mount credentials unencrypted (no ${CREDENTIALS_KEY_PROPERTY})`);
      }
      return mp;
    }
    const options = { ...mp.options };
    for (const k of secretKeys) {
      const v = options[k]!;
      // An already sealed value (copied from another table) is kept if this key opens it.
      options[k] = isSealed(v) ? (cipher.open(k, v, `mount ${mp.path}`), v) : cipher.seal(k, v);
    }
    return { ...mp, options };
  }

  private open(mp: MountPoint): MountPoint {
    if (this.opts.decrypt === false) return mp;
    let options: Record<string, string> | undefined;
    for (const [k, v] of Object.entries(mp.options)) {
      if (!isSealed(v)) continue;
      if (!this.opts.cipher) {
        throw new InvalidConfError(`mount ${mp.path} has encrypted credentials (${k}) but ${CREDENTIALS_KEY_PROPERTY} is not set: set it to the key file the mount table was written with`);
      }
      options ??= { ...mp.options };
      options[k] = this.opts.cipher.open(k, v, `mount ${mp.path}`);
    }
    return options ? { ...mp, options } : mp;
  }
}
