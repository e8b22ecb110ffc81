import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { PropertyName } from '../conf/property-keys.js';
import { InvalidConfError } from './errors.js';

/** The property naming the key file; every error about the key names it. */
export const CREDENTIALS_KEY_PROPERTY = 'alluxio.mount.credentials.encryption.key.file' satisfies PropertyName;

const PREFIX = 'enc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// enc:v1:<key id: 8 hex>:<base64 of iv | tag | ciphertext>
const SEALED = /^enc:v1:([0-9a-f]{8}):([A-Za-z0-9+/]+={0,2})$/;

/** True when a stored option value is one that CredentialCipher.seal produced. */
export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/**
 * AES-256-GCM for mount credentials at rest. A sealed value carries a short key id (the start of
 * the key's SHA-256), so a process with another key says so instead of failing vaguely, and the
 * option name is the additional authenticated data, so a sealed value moved to another option
 * fails to open. Errors name the property and the key file, never a value.
 */
export class CredentialCipher {
  readonly keyId: string;

  constructor(private readonly key: Buffer, readonly keyFile: string) {
    if (key.length !== KEY_BYTES) throw new InvalidConfError(`${CREDENTIALS_KEY_PROPERTY}: the key must be ${KEY_BYTES} bytes, got ${key.length}`);
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  seal(optionName: string, value: string): string {
    const iv = randomBytes(IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(optionName, 'utf8'));
    const ct = Buffer.concat([c.update(value, 'utf8'), c.final()]);
    return `${PREFIX}${this.keyId}:${Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64')}`;
  }

  /** The plaintext of a sealed value; `where` says whose option it is (e.g. `mount /s3`). */
  open(optionName: string, sealed: string, where: string): string {
    const m = SEALED.exec(sealed);
    const raw = m ? Buffer.from(m[2]!, 'base64') : undefined;
    if (!m || !raw || raw.length < IV_BYTES + TAG_BYTES) {
      throw new InvalidConfError(`${where}: option ${optionName} is not a well-formed encrypted value (expected enc:v1:<key id>:<base64>)`);
    }
    if (m[1] !== this.keyId) {
      throw new InvalidConfError(`${where}: option ${optionName} was encrypted with key ${m[1]}, but ${CREDENTIALS_KEY_PROPERTY} (${this.keyFile}) holds key ${this.keyId}: every process reading the mount table needs the same key file`);
    }
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      d.setAAD(Buffer.from(optionName, 'utf8'));
      d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([d.update(raw.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
    } catch {
      throw new InvalidConfError(`${where}: option ${optionName} does not decrypt with the key in ${CREDENTIALS_KEY_PROPERTY} (${this.keyFile}): the stored value was altered or moved from another option`);
    }
  }
}

/**
 * Reads the key file: exactly 32 raw bytes, or text holding 64 hex characters or the base64 of
 * 32 bytes (surrounding whitespace ignored). Anything else is refused, naming the property.
 */
export function loadCredentialCipher(file: string): CredentialCipher {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new InvalidConfError(`${CREDENTIALS_KEY_PROPERTY}: cannot read the key file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return new CredentialCipher(parseKey(bytes, file), file);
}

function parseKey(bytes: Buffer, file: string): Buffer {
  if (bytes.length === KEY_BYTES) return bytes;
  const text = bytes.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const b = Buffer.from(text, 'base64');
    if (b.length === KEY_BYTES) return b;
  }
  // Say what was found (its size), never its content.
  throw new InvalidConfError(
    `${CREDENTIALS_KEY_PROPERTY}: the key file ${file} holds ${bytes.length} bytes that are not a ${KEY_BYTES}-byte key: ` +
    `expected ${KEY_BYTES} raw bytes, 64 hex characters, or base64 of ${KEY_BYTES} bytes (e.g. \`head -c 32 /dev/urandom | base64 > ${file}\`)`,
  );
}

/** Writes a new random key (base64) to `file` with mode 0600, unless the file exists. Returns true if written. */
export function createCredentialKeyFile(file: string): boolean {
  try {
    writeFileSync(file, randomBytes(KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  chmodSync(file, 0o600); // whatever the umask
  return true;
}
