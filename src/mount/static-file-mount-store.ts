import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MountError, NotFoundError } from '../common/errors.js';
import { normalizePath } from '../common/paths.js';
import { validateMountPoint, type MountPoint } from './mount-point.js';
import type { MountStore } from './mount-store.js';

/**
 * STATIC_FILE mount table for a single machine. One mount per line:
 *   <alluxio path> <ufs uri> [key=value ...]
 * '#' starts a comment. A root mount given by property (`alluxio.master.mount.table.root.ufs` or
 * `alluxio.dora.client.ufs.root`) is added to what the file lists. Changes made by other processes
 * are picked up by polling the file's inode, size and mtime, which also works across renames.
 */
export class StaticFileMountStore implements MountStore {
  readonly source = 'STATIC_FILE' as const;
  private readonly listeners = new Set<(mounts: MountPoint[]) => void>();
  private timer: NodeJS.Timeout | undefined;
  /** The file's identity and mtime when last read by poll() ('' when missing). */
  private seen = '';

  constructor(private readonly file: string, private readonly rootUfs?: string, private readonly pollMs = 500) {}

  async list(): Promise<MountPoint[]> {
    return this.read();
  }

  async add(mount: MountPoint): Promise<void> {
    const mp = validateMountPoint(mount);
    const mounts = this.readFileMounts();
    if (mounts.some((m) => m.path === mp.path) || (mp.path === '/' && this.rootUfs)) {
      throw new MountError(`mount point ${mp.path} already exists: remove it first with 'alluxio mount remove --path ${mp.path}'`);
    }
    mounts.push(mp);
    this.write(mounts);
  }

  async remove(path: string): Promise<void> {
    const p = normalizePath(path);
    const mounts = this.readFileMounts();
    const kept = mounts.filter((m) => m.path !== p);
    if (kept.length === mounts.length) {
      if (p === '/' && this.rootUfs) throw new MountError('the root mount is set by property (alluxio.master.mount.table.root.ufs); change the property instead');
      throw new NotFoundError(`no mount point at ${p}`);
    }
    this.write(kept);
  }

  watch(listener: (mounts: MountPoint[]) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      // Our own poll with a baseline taken now: fs.watchFile takes its first stat asynchronously,
      // so a change made right after watch() could become its baseline and never be reported.
      this.seen = fileStamp(this.file);
      this.timer = setInterval(() => this.poll(), this.pollMs);
      this.timer.unref();
    }
    return () => { this.listeners.delete(listener); if (this.listeners.size === 0) this.stopWatching(); };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.stopWatching();
  }

  private poll(): void {
    const stamp = fileStamp(this.file);
    if (stamp === this.seen) return;
    let mounts: MountPoint[];
    try { mounts = this.read(); } catch { return; } // a half-edited file: keep the last table, retry next poll
    this.seen = stamp;
    for (const l of this.listeners) l(mounts);
  }

  private stopWatching(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private read(): MountPoint[] {
    const mounts = this.readFileMounts();
    if (this.rootUfs && !mounts.some((m) => m.path === '/')) {
      mounts.unshift(validateMountPoint({ path: '/', ufsUri: this.rootUfs, options: {} }));
    }
    return mounts;
  }

  private readFileMounts(): MountPoint[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: MountPoint[] = [];
    text.split('\n').forEach((raw, i) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (!line) return;
      const [path, ufsUri, ...opts] = line.split(/\s+/);
      const options: Record<string, string> = {};
      for (const o of opts) {
        const eq = o.indexOf('=');
        if (eq <= 0) throw new MountError(`${this.file}:${i + 1}: mount option '${o}' is not key=value`);
        options[decodeURIComponent(o.slice(0, eq))] = decodeURIComponent(o.slice(eq + 1));
      }
      try {
        out.push(validateMountPoint({ path: path!, ufsUri: ufsUri ?? '', options }));
      } catch (err) {
        throw new MountError(`${this.file}:${i + 1}: ${(err as Error).message}`);
      }
    });
    return out;
  }

  private write(mounts: MountPoint[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const lines = mounts.map((m) => [m.path, m.ufsUri, ...Object.entries(m.options).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)].join(' '));
    const tmp = `${this.file}.tmp-${process.pid}`;
    // 0600: the file can hold UFS credentials.
    writeFileSync(tmp, '# Alluxio mount table (STATIC_FILE): <path> <ufs uri> [key=value ...]\n' + lines.join('\n') + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

function fileStamp(file: string): string {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return '';
  }
}
