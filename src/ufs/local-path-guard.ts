import { lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { AlluxioError, InvalidConfError } from '../common/errors.js';
import type { PropertyName } from '../conf/property-keys.js';
import type { UfsOptions } from './under-file-system.js';

/** Whether symbolic links that stay inside a local UFS root are followed (links leaving it never are). */
export const LOCAL_SYMLINKS_KEY = 'alluxio.underfs.local.symlinks.within.root.allowed' satisfies PropertyName;

/** Symlink hops followed by hand through dangling links before giving up (Linux's own limit). */
const MAX_HOPS = 40;

export function followInnerLinksOption(options: UfsOptions): boolean {
  const v = options[LOCAL_SYMLINKS_KEY]?.trim().toLowerCase();
  if (v === undefined || v === '') return true;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new InvalidConfError(`bad ${LOCAL_SYMLINKS_KEY} '${options[LOCAL_SYMLINKS_KEY]}': expected true or false`);
}

/**
 * Keeps a local UFS inside its root through symbolic links: the lexical check (no '..', a prefix
 * of the root) does not see that `root/x -> ../y` leads out. Every operation resolves the real
 * path of what it touches (the deepest existing ancestor, so a write or mkdir below a link is
 * caught too) and refuses it when that real path is outside the root's real path, or, when
 * LOCAL_SYMLINKS_KEY is false, when it differs from the lexical path at all (a link was crossed).
 *
 * A link swapped in between the check and the operation is a race the check alone cannot close
 * (Node has no openat/O_NOFOLLOW walk); reads and writes close it by checking the opened
 * descriptor's real path (checkOpened), which is what the bytes come from or go to.
 */
export class LocalPathGuard {
  private realRoot: string | undefined;

  constructor(private readonly root: string, readonly followInnerLinks: boolean) {}

  /** Throws ALX_ERR_PERMISSION_DENIED when `abs` (lexically below the root) really is not. */
  async check(abs: string, op: string, uri: string): Promise<void> {
    const [realRoot, real] = await Promise.all([this.rootReal(), realOfDeepestExisting(abs)]);
    this.verify(abs, real, realRoot, op, uri);
  }

  /** The same check on an open descriptor (Linux /proc; elsewhere the check before open stands). */
  async checkOpened(fd: number, abs: string, op: string, uri: string): Promise<void> {
    let real: string;
    try {
      real = await readlink(`/proc/self/fd/${fd}`);
    } catch {
      return;
    }
    if (real.endsWith(' (deleted)')) real = real.slice(0, -' (deleted)'.length);
    this.verify(abs, real, await this.rootReal(), op, uri);
  }

  /** Whether a symbolic link met in a listing may be shown: followed, and its target stays inside. */
  async linkAllowed(abs: string): Promise<boolean> {
    if (!this.followInnerLinks) return false;
    try {
      const [realRoot, real] = await Promise.all([this.rootReal(), realOfDeepestExisting(abs)]);
      return isInside(real, realRoot);
    } catch {
      return false;
    }
  }

  private verify(abs: string, real: string, realRoot: string, op: string, uri: string): void {
    if (!isInside(real, realRoot)) {
      throw new AlluxioError('ALX_ERR_PERMISSION_DENIED', `${op} ${uri}: refused, a symbolic link leads outside the mount's root`);
    }
    if (this.followInnerLinks) return;
    const rel = abs === this.root ? '' : this.root === '/' ? abs : abs.slice(this.root.length);
    const lexical = realRoot === '/' ? rel || '/' : realRoot + rel;
    if (real !== lexical) {
      throw new AlluxioError('ALX_ERR_PERMISSION_DENIED', `${op} ${uri}: refused, the path goes through a symbolic link (${LOCAL_SYMLINKS_KEY} is false)`);
    }
  }

  private async rootReal(): Promise<string> {
    if (this.realRoot !== undefined) return this.realRoot;
    // A root that does not exist yet (created by the first write) is not cached.
    const real = await realOfDeepestExisting(this.root);
    if (await lstat(this.root).then(() => true, () => false)) this.realRoot = real;
    return real;
  }
}

function isInside(real: string, realRoot: string): boolean {
  return realRoot === '/' || real === realRoot || real.startsWith(realRoot + '/');
}

/**
 * The real path `abs` has or would have once created: realpath of its deepest existing ancestor
 * plus the missing rest. A dangling link on the way is followed by hand (mkdir and rename would
 * follow it into its target).
 */
async function realOfDeepestExisting(abs: string): Promise<string> {
  let head = abs;
  let tail = '';
  for (let hops = 0; ;) {
    try {
      const real = await realpath(head);
      return tail === '' ? real : (real === '/' ? '' : real) + tail;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || head === '/') throw err;
    }
    const target = await readlink(head).catch(() => undefined);
    if (target !== undefined) {
      // A dangling link: continue from where it points.
      if (++hops > MAX_HOPS) throw Object.assign(new Error(`too many symbolic links at ${abs}`), { code: 'ELOOP' });
      // Relative targets are relative to the link's real directory, not its lexical one.
      head = resolvePath(await realpath(dirname(head)), target);
      continue;
    }
    const i = head.lastIndexOf('/');
    tail = head.slice(i) + tail;
    head = head.slice(0, i) || '/';
  }
}
