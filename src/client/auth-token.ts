import { readFileSync } from 'node:fs';
import { InvalidConfError } from '../common/errors.js';

// Bearer tokens for the worker REST and coordinator APIs (docs/security.md). A server's credentials
// file lists them as `token <name> <value>` lines beside its `accessKey:secretKey` lines; a
// client's token file holds a bare token, or the same kind of line. Messages never quote a token.

/** Shortest token accepted: a guessable token is a password, not a credential. */
export const MIN_TOKEN_LENGTH = 16;

const TOKEN_LINE = /^token\s+(\S+)\s+(\S+)$/;
const TOKEN_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** A `token <name> <value>` line: the name (for logs) and the value; null for any other line. */
export function parseTokenLine(line: string, where: string): { name: string; value: string } | null {
  if (!/^token\s/.test(line)) return null;
  const m = TOKEN_LINE.exec(line);
  if (!m) throw new InvalidConfError(`${where}: expected token <name> <value> (three fields separated by spaces)`);
  const [, name, value] = m as unknown as [string, string, string];
  if (!TOKEN_NAME.test(name)) throw new InvalidConfError(`${where}: token name must be 1-64 letters, digits or . _ @ -`);
  checkToken(value, where);
  return { name, value };
}

function checkToken(value: string, where: string): void {
  if (value.length < MIN_TOKEN_LENGTH) throw new InvalidConfError(`${where}: the token is shorter than ${MIN_TOKEN_LENGTH} characters`);
}

/**
 * The `Authorization` header value a client sends, from the file named by
 * alluxio.user.auth.token.file: its first `token <name> <value>` line, else its first line that is
 * neither blank, a # comment nor an accessKey:secretKey line, taken as the bare token.
 */
export function bearerFromTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidConfError(`alluxio.user.auth.token.file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let bare: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const t = parseTokenLine(line, `${file} line ${i + 1}`);
    if (t) return `Bearer ${t.value}`;
    // An accessKey:secretKey line (the file may be a server's credentials file) is never sent.
    if (bare === undefined && !line.includes(':')) {
      if (/\s/.test(line)) throw new InvalidConfError(`${file} line ${i + 1}: expected a bare token (no spaces) or token <name> <value>`);
      checkToken(line, `${file} line ${i + 1}`);
      bare = line;
    }
  }
  if (bare === undefined) throw new InvalidConfError(`alluxio.user.auth.token.file: ${file} holds no token (a bare token line, or token <name> <value>; accessKey:secretKey lines are not tokens)`);
  return `Bearer ${bare}`;
}
