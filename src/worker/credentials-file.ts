import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidConfError } from '../common/errors.js';
import { parseTokenLine } from '../client/auth-token.js';

/**
 * The file named by alluxio.worker.s3.auth.credentials.file, read by workers and the coordinator.
 * One credential per line (blank lines and # comments skipped):
 *   accessKey:secretKey      a SigV4 key pair, for the S3 API and the REST APIs
 *   token <name> <value>     a bearer token for the REST APIs; the name appears in logs, never the value
 */
export interface CredentialsFile {
  /** accessKey → secretKey. */
  readonly keys: Map<string, string>;
  /** SHA-256 (hex) of each token → its name. Only digests are kept, so a lookup leaks no timing of the token. */
  readonly tokens: Map<string, string>;
  /** The first token in the file, for this process's own calls to other workers. */
  readonly firstToken?: string;
}

const PROPERTY = 'alluxio.worker.s3.auth.credentials.file';

export function readCredentialsFile(file: string): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidConfError(`${PROPERTY}: cannot read ${file}: ${(err as Error).message}`);
  }
  const keys = new Map<string, string>();
  const tokens = new Map<string, string>();
  let firstToken: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const token = parseTokenLine(line, `${file} line ${i + 1}`);
    if (token) {
      tokens.set(tokenDigest(token.value), token.name);
      firstToken ??= token.value;
      return;
    }
    const c = line.indexOf(':');
    if (c <= 0 || c === line.length - 1) throw new InvalidConfError(`${file} line ${i + 1}: expected accessKey:secretKey or token <name> <value>`);
    keys.set(line.slice(0, c), line.slice(c + 1));
  });
  if (keys.size === 0 && tokens.size === 0) throw new InvalidConfError(`${file} holds no accessKey:secretKey or token <name> <value> line`);
  return { keys, tokens, ...(firstToken !== undefined ? { firstToken } : {}) };
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
