import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import type { ObjectMeta } from './under-file-system.js';

/**
 * The directory, in the root of every local mount, that holds the S3 object metadata of its files.
 * It is never listed, and a path through it is refused (LocalUfs), so it is never an object.
 * Beside the data rather than in a worker's state directory: every worker of the cluster sees the
 * same metadata, whichever of them owns the key after a ring change, and it moves with the files.
 */
export const LOCAL_META_DIR = '.alluxio-meta';

interface Sidecar {
  /** The ufsVersion() of the file the metadata was written with. */
  version: string;
  etag?: string;
  headers: Record<string, string>;
}

/**
 * One JSON file per data file, at the same relative path below LOCAL_META_DIR. A sidecar only
 * counts for the file version it names: a file replaced outside Alluxio (new inode, ctime, mtime)
 * has none, whatever is left on disk. Writes go to a temp file renamed into place.
 */
export class LocalMetaSidecars {
  private readonly base: string;

  constructor(private readonly root: string) {
    this.base = (root === '/' ? '' : root) + '/' + LOCAL_META_DIR;
  }

  /** The sidecar path of a file (an absolute path below the root, not the root itself). */
  private pathOf(abs: string): string {
    return this.base + abs.slice(this.root === '/' ? 0 : this.root.length);
  }

  async read(abs: string, version: string): Promise<ObjectMeta | undefined> {
    let s: Sidecar;
    try {
      s = JSON.parse(await readFile(this.pathOf(abs), 'utf8')) as Sidecar;
    } catch {
      return undefined; // none, a directory in the way, or a torn file: no metadata
    }
    if (s.version !== version || typeof s.headers !== 'object' || s.headers === null) return undefined;
    return s.etag === undefined ? { headers: s.headers } : { headers: s.headers, etag: s.etag };
  }

  async write(abs: string, version: string, meta: ObjectMeta): Promise<void> {
    const p = this.pathOf(abs);
    const dir = p.slice(0, p.lastIndexOf('/'));
    await this.makeDir(dir);
    const tmp = `${dir}/.tmp-${randomBytes(8).toString('hex')}`;
    const s: Sidecar = { version, headers: meta.headers, ...(meta.etag !== undefined ? { etag: meta.etag } : {}) };
    try {
      await writeFile(tmp, JSON.stringify(s), { mode: 0o644 });
      // A stale directory where the sidecar goes (the path was a directory once) is removed first.
      await rm(p, { recursive: true, force: true });
      await rename(tmp, p);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  /** Drops the sidecar of a file, or every sidecar below a directory. */
  async remove(abs: string): Promise<void> {
    await rm(this.pathOf(abs), { recursive: true, force: true });
  }

  /**
   * After `from` was renamed to `to`: a file's sidecar follows it when it belonged to the version
   * that was moved (restamped with the new version, since a rename changes the ctime); a
   * directory's sidecars follow it as a tree (the files below keep their versions).
   */
  async move(from: string, to: string, file: { oldVersion: string; newVersion: string } | undefined): Promise<void> {
    const src = this.pathOf(from);
    const dst = this.pathOf(to);
    if (file) {
      const meta = await this.read(from, file.oldVersion);
      await rm(src, { recursive: true, force: true });
      if (meta) await this.write(to, file.newVersion, meta);
      else await rm(dst, { recursive: true, force: true });
      return;
    }
    await rm(dst, { recursive: true, force: true });
    if (!(await lstat(src).catch(() => undefined))) return;
    await this.makeDir(dst.slice(0, dst.lastIndexOf('/')));
    await rename(src, dst);
  }

  /** mkdir -p, removing stale sidecar files that stand where a directory is needed. */
  private async makeDir(dir: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true, mode: 0o755 });
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTDIR' && code !== 'EEXIST') throw err;
    }
    let cur = this.base;
    for (const seg of ['', ...dir.slice(this.base.length).split('/').filter(Boolean)]) {
      if (seg) cur += '/' + seg;
      const st = await lstat(cur).catch(() => undefined);
      if (st && !st.isDirectory()) await unlink(cur);
    }
    await mkdir(dir, { recursive: true, mode: 0o755 });
  }
}
