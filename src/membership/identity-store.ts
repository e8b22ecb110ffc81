import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { AlluxioError, InvalidConfError } from '../common/errors.js';
import { identityFromUuid, identityToUuid, randomIdentity } from '../hashring/identity.js';
import type { WorkerIdentity } from '../hashring/worker-info.js';

export const IDENTITY_UUID_PROPERTY = 'alluxio.worker.identity.uuid';
export const IDENTITY_FILE_PROPERTY = 'alluxio.worker.identity.uuid.file.path';
const HEADER = '# Worker identity, do not edit\n';

export interface IdentitySource {
  /** `alluxio.worker.identity.uuid`: wins when set. */
  uuid?: string;
  /** `alluxio.worker.identity.uuid.file.path`: read, or created with a new UUIDv4. */
  filePath?: string;
}

/**
 * A worker's identity (DESIGN.md §6): the `alluxio.worker.identity.uuid` property if set; else the
 * first line of the identity file not starting with '#'; else a new UUIDv4 written to that file
 * (atomically, so a crash never leaves a half-written identity, and two processes racing to create
 * it end up with the same one).
 */
export function resolveWorkerIdentity(src: IdentitySource): WorkerIdentity {
  const uuid = src?.uuid?.trim();
  if (uuid) return parseOrThrow(uuid, `property ${IDENTITY_UUID_PROPERTY}`);
  const file = src?.filePath?.trim();
  if (!file) {
    throw new InvalidConfError(`no worker identity: set ${IDENTITY_UUID_PROPERTY} or ${IDENTITY_FILE_PROPERTY}`);
  }
  const existing = readIdentityFile(file);
  if (existing) return existing;
  return createIdentityFile(file, existing === null);
}

/**
 * The identity in `file`; `undefined` when the file does not exist, `null` when it exists but holds
 * no identity line (empty or comments only).
 */
function readIdentityFile(file: string): WorkerIdentity | null | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new InvalidConfError(`cannot read worker identity file ${file} (${IDENTITY_FILE_PROPERTY}): ${code ?? (err as Error).message}`);
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    return parseOrThrow(line, `${file}:${i + 1}`);
  }
  return null;
}

function createIdentityFile(file: string, replaceEmpty: boolean): WorkerIdentity {
  const identity = randomIdentity();
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    throw new InvalidConfError(`cannot create the directory of worker identity file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeSync(fd, `${HEADER}${identityToUuid(identity)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (replaceEmpty) {
      renameSync(tmp, file);
    } else {
      // link() fails if the file appeared meanwhile: then the other process's identity wins.
      try {
        linkSync(tmp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const theirs = readIdentityFile(file);
        if (theirs) return theirs;
        renameSync(tmp, file);
      }
    }
    syncDir(dirname(file));
  } catch (err) {
    if (err instanceof AlluxioError) throw err;
    throw new InvalidConfError(`cannot write worker identity file ${file} (${IDENTITY_FILE_PROPERTY}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    rmSync(tmp, { force: true });
  }
  return identity;
}

function parseOrThrow(text: string, where: string): WorkerIdentity {
  try {
    return identityFromUuid(text);
  } catch (err) {
    throw new InvalidConfError(`${where}: ${(err as Error).message}`);
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // Not every file system lets a directory be fsynced; the rename is still atomic.
  }
}
