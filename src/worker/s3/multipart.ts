import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../../common/logging.js';
import type { WriteOptions } from '../../ufs/under-file-system.js';
import type { FileService } from '../file-service.js';
import { etagOf } from './get-object.js';
import { md5WhileStreaming, multipartEtag, rememberWritten } from './object-metadata.js';
import { S3Error } from './s3-errors.js';
import { doc, el, isoDate, list, parseXmlBody, text } from './s3-xml.js';

// Multipart uploads staged on the worker's local disk: <dir>/<uploadId>/manifest.json plus one
// `<n>.part` file (and `<n>.json`: its MD5 and size) per part. Complete streams the parts, in
// order, into one FileService.write, so the UFS sees one atomic write; Abort (or a failed Complete
// that the client aborts) deletes the staging directory and nothing reaches the UFS.
// The directory is the worker's own (mode 0700, files 0600: parts are other people's data); an
// upload with no activity for the expiration is aborted by a sweeper. A completed upload leaves
// <dir>/completed/<uploadId>.json (bucket, key, ETag) for the expiration, so that a repeated
// Complete (a client retrying after a lost answer) gets the same 200 and ETag, as on S3.

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;
const UPLOAD_ID_RE = /^[0-9a-f]{32}$/;

interface Manifest {
  bucket: string;
  key: string;
  path: string;
  initiatedMs: number;
  user: string;
  /** The object metadata CreateMultipartUpload was sent with (object-metadata.ts), set by Complete. */
  headers?: Record<string, string>;
}

/** An upload as ListMultipartUploads shows it. */
export interface UploadInfo {
  uploadId: string;
  key: string;
  initiatedMs: number;
  user: string;
}

/** What a completed upload leaves behind: a repeated Complete answers with it. */
interface CompletedUpload {
  bucket: string;
  key: string;
  etag: string;
}

const COMPLETED_DIR = 'completed';

export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
  lastModifiedMs: number;
}

export class MultipartStore {
  /** Uploads being completed: a second Complete or an Abort waits for the first to settle. */
  private readonly completing = new Map<string, Promise<string>>();
  /** Parts being received, per upload: the sweeper leaves these uploads alone. */
  private readonly receiving = new Map<string, number>();
  private sweeper: NodeJS.Timeout | null = null;
  private ready: Promise<void> | null = null;

  constructor(private readonly dir: string, private readonly files: FileService) {}

  /**
   * Creates the directory (and missing parents) 0700 once. The mode of a directory that exists is
   * left alone (it may be one the operator chose); each upload's own directory is 0700 anyway.
   */
  private ensureDir(): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).then(() => undefined, (err) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  /**
   * Aborts, now and then every so often, uploads with no activity for `expirationMs` (the staging
   * directory's mtime moves with every part received).
   */
  startSweeper(expirationMs: number, log: Logger): void {
    const sweep = () => {
      this.sweep(expirationMs).then((n) => {
        if (n > 0) log.info({ removed: n, dir: this.dir }, 'S3 multipart: removed expired uploads');
      }, (err: Error) => log.warn({ err: err.message, dir: this.dir }, 'S3 multipart: sweeping expired uploads failed'));
    };
    sweep();
    this.sweeper = setInterval(sweep, Math.max(1000, Math.min(3_600_000, Math.floor(expirationMs / 2))));
    this.sweeper.unref();
  }

  close(): void {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  /** Removes uploads idle for `expirationMs`, and records of uploads completed that long ago; returns how many uploads. */
  async sweep(expirationMs: number, now = Date.now()): Promise<number> {
    let ids: string[];
    try {
      ids = await readdir(this.dir);
    } catch {
      return 0;
    }
    const doneDir = join(this.dir, COMPLETED_DIR);
    for (const name of await readdir(doneDir).catch(() => [] as string[])) {
      const st = await stat(join(doneDir, name)).catch(() => undefined);
      if (st && now - st.mtimeMs >= expirationMs) await rm(join(doneDir, name), { force: true });
    }
    let removed = 0;
    for (const id of ids) {
      if (!UPLOAD_ID_RE.test(id) || this.completing.has(id) || this.receiving.has(id)) continue;
      const st = await stat(join(this.dir, id)).catch(() => undefined);
      if (!st || now - st.mtimeMs < expirationMs) continue;
      await rm(join(this.dir, id), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  async create(bucket: string, key: string, path: string, user: string, headers: Record<string, string> = {}): Promise<string> {
    await this.ensureDir();
    const uploadId = randomBytes(16).toString('hex');
    const d = join(this.dir, uploadId);
    await mkdir(d, { mode: 0o700 });
    const m: Manifest = { bucket, key, path, initiatedMs: Date.now(), user, headers };
    await writeFile(join(d, 'manifest.json'), JSON.stringify(m), { mode: 0o600 });
    return uploadId;
  }

  /** Stores one part (replacing an earlier one with the same number); returns its quoted ETag. */
  async uploadPart(uploadId: string, bucket: string, key: string, partNumber: number, body: Readable): Promise<string> {
    checkPartNumber(partNumber);
    this.receiving.set(uploadId, (this.receiving.get(uploadId) ?? 0) + 1);
    try {
      return await this.receivePart(uploadId, bucket, key, partNumber, body);
    } finally {
      const n = this.receiving.get(uploadId)! - 1;
      if (n === 0) this.receiving.delete(uploadId);
      else this.receiving.set(uploadId, n);
    }
  }

  private async receivePart(uploadId: string, bucket: string, key: string, partNumber: number, body: Readable): Promise<string> {
    const d = (await this.manifest(uploadId, bucket, key)).dir;
    const tmp = join(d, `${partNumber}.${randomBytes(4).toString('hex')}.tmp`);
    // Hashed on a hashing thread as a PUT body is (parts of one upload sent at once hash in parallel
    // when the machine has cores for more than one thread).
    const hashed = md5WhileStreaming(body);
    try {
      await pipeline(hashed.stream, createWriteStream(tmp, { mode: 0o600 }));
      const etag = `"${hashed.etag()}"`;
      const size = (await stat(tmp)).size;
      await rename(tmp, join(d, `${partNumber}.part`));
      // Renamed into place, so a re-sent part's record replaces the earlier one whole: a listing
      // or Complete reading it meanwhile sees one or the other, never a half-written file.
      const info = `${tmp}.json`;
      await writeFile(info, JSON.stringify({ partNumber, etag, size, lastModifiedMs: Date.now() } satisfies PartInfo), { mode: 0o600 });
      await rename(info, join(d, `${partNumber}.json`));
      return etag;
    } catch (err) {
      await rm(tmp, { force: true });
      await rm(`${tmp}.json`, { force: true });
      throw err;
    }
  }

  async listParts(uploadId: string, bucket: string, key: string): Promise<PartInfo[]> {
    const { dir } = await this.manifest(uploadId, bucket, key);
    return readParts(dir);
  }

  /**
   * Checks the client's part list, then writes the concatenation to the UFS, records the upload as
   * completed (with its metadata and md5-of-md5s-N ETag) and drops the staging dir; returns the object's quoted ETag. Completing an upload
   * that is already complete answers the recorded ETag; one being completed waits for that.
   */
  async complete(uploadId: string, bucket: string, key: string, xml: Buffer, precondition?: WriteOptions['precondition']): Promise<string> {
    await this.completing.get(uploadId)?.catch(() => {});
    let found: { dir: string; m: Manifest };
    try {
      found = await this.manifest(uploadId, bucket, key);
    } catch (err) {
      const done = await this.completed(uploadId);
      if (done && done.bucket === bucket && done.key === key) return done.etag;
      throw err;
    }
    const { dir, m } = found;
    const requested = parseCompleteBody(xml);
    const have = new Map((await readParts(dir)).map((p) => [p.partNumber, p]));
    const chosen: PartInfo[] = [];
    for (let i = 0; i < requested.length; i++) {
      const r = requested[i]!;
      const p = have.get(r.partNumber);
      if (!p || p.etag.replace(/"/g, '') !== r.etag.replace(/"/g, '')) {
        throw new S3Error('InvalidPart', `part ${r.partNumber} was not uploaded, or its ETag ${r.etag} is not the one we have`);
      }
      chosen.push(p);
    }
    for (let i = 0; i < chosen.length - 1; i++) {
      const p = chosen[i]!;
      if (p.size < MIN_PART_SIZE) throw new S3Error('EntityTooSmall', `part ${p.partNumber} has ${p.size} bytes; every part but the last needs at least ${MIN_PART_SIZE}`);
    }
    // Another Complete of this upload may have started while this one read the parts: wait for it.
    if (this.completing.has(uploadId)) return this.complete(uploadId, bucket, key, xml, precondition);
    const total = chosen.reduce((n, p) => n + p.size, 0);
    const meta = { headers: m.headers ?? {}, etag: multipartEtag(chosen.map((p) => p.etag)) };
    const work = this.files.write(m.path, concatParts(dir, chosen), precondition ? { length: total, meta, precondition } : { length: total, meta }).then(async (entry) => {
      const stored = rememberWritten(this.files.resolve(m.path).ufsUri, entry.version, meta);
      if (entry.etag === undefined) entry.etag = stored.etag;
      const etag = etagOf(entry);
      await this.recordCompleted(uploadId, { bucket, key, etag });
      await rm(dir, { recursive: true, force: true });
      return etag;
    });
    this.completing.set(uploadId, work);
    try {
      return await work;
    } finally {
      this.completing.delete(uploadId);
    }
  }

  private async recordCompleted(uploadId: string, done: CompletedUpload): Promise<void> {
    const doneDir = join(this.dir, COMPLETED_DIR);
    await mkdir(doneDir, { recursive: true, mode: 0o700 });
    const tmp = join(doneDir, `${uploadId}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify(done), { mode: 0o600 });
    await rename(tmp, join(doneDir, `${uploadId}.json`));
  }

  private async completed(uploadId: string): Promise<CompletedUpload | undefined> {
    if (!UPLOAD_ID_RE.test(uploadId)) return undefined;
    try {
      return JSON.parse(await readFile(join(this.dir, COMPLETED_DIR, `${uploadId}.json`), 'utf8')) as CompletedUpload;
    } catch {
      return undefined;
    }
  }

  async abort(uploadId: string, bucket: string, key: string): Promise<void> {
    const { dir } = await this.manifest(uploadId, bucket, key);
    await this.completing.get(uploadId)?.catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }

  /** Uploads in progress in a bucket (ListMultipartUploads), oldest first. */
  async uploads(bucket: string, prefix: string): Promise<UploadInfo[]> {
    let ids: string[];
    try {
      ids = await readdir(this.dir);
    } catch {
      return [];
    }
    const out = [];
    for (const id of ids) {
      if (!UPLOAD_ID_RE.test(id)) continue;
      try {
        const m = JSON.parse(await readFile(join(this.dir, id, 'manifest.json'), 'utf8')) as Manifest;
        if (m.bucket === bucket && m.key.startsWith(prefix)) out.push({ uploadId: id, key: m.key, initiatedMs: m.initiatedMs, user: m.user });
      } catch { /* completed or aborted meanwhile */ }
    }
    return sortUploads(out);
  }

  private async manifest(uploadId: string, bucket: string, key: string): Promise<{ dir: string; m: Manifest }> {
    const missing = () => new S3Error('NoSuchUpload', 'the specified upload does not exist: it may have been aborted or completed');
    if (!UPLOAD_ID_RE.test(uploadId)) throw missing();
    const dir = join(this.dir, uploadId);
    let m: Manifest;
    try {
      m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    } catch {
      throw missing();
    }
    if (m.bucket !== bucket || m.key !== key) throw missing();
    return { dir, m };
  }
}

export function sortUploads(uploads: UploadInfo[]): UploadInfo[] {
  return uploads.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiatedMs - b.initiatedMs));
}

/** The uploads of a ListMultipartUploadsResult another worker sent (see listUploadsXml). */
export function parseUploadsXml(xml: Buffer): UploadInfo[] {
  return list(parseXmlBody(xml, 'ListMultipartUploadsResult'), 'Upload').map((u) => {
    const initiator = list(u, 'Initiator')[0];
    return {
      uploadId: text(u, 'UploadId') ?? '',
      key: text(u, 'Key') ?? '',
      initiatedMs: Date.parse(text(u, 'Initiated') ?? '') || 0,
      user: (initiator && text(initiator, 'ID')) ?? '',
    };
  });
}

function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTS) throw new S3Error('InvalidArgument', `part number must be an integer between 1 and ${MAX_PARTS}`);
}

async function readParts(dir: string): Promise<PartInfo[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: PartInfo[] = [];
  for (const n of names) {
    if (!/^\d+\.json$/.test(n)) continue;
    try {
      const p = JSON.parse(await readFile(join(dir, n), 'utf8')) as PartInfo;
      await stat(join(dir, `${p.partNumber}.part`));
      out.push(p);
    } catch { /* replaced meanwhile */ }
  }
  return out.sort((a, b) => a.partNumber - b.partNumber);
}

function parseCompleteBody(xml: Buffer): Array<{ partNumber: number; etag: string }> {
  const root = parseXmlBody(xml, 'CompleteMultipartUpload');
  const parts = list(root, 'Part').map((p) => {
    const num = (text(p, 'PartNumber') ?? '').trim();
    const etag = (text(p, 'ETag') ?? '').trim();
    if (!/^\d{1,5}$/.test(num) || !etag) throw new S3Error('MalformedXML', 'each <Part> needs a <PartNumber> (1-10000) and an <ETag>');
    const partNumber = Number(num);
    checkPartNumber(partNumber);
    return { partNumber, etag };
  });
  if (parts.length === 0) throw new S3Error('MalformedXML', 'the CompleteMultipartUpload document lists no parts');
  for (let i = 1; i < parts.length; i++) {
    if (parts[i]!.partNumber <= parts[i - 1]!.partNumber) throw new S3Error('InvalidPartOrder', 'the list of parts was not in ascending order');
  }
  return parts;
}

/** The parts' bytes in order, one file open at a time. */
function concatParts(dir: string, parts: PartInfo[]): Readable {
  return Readable.from((async function* () {
    for (const p of parts) {
      for await (const chunk of createReadStream(join(dir, `${p.partNumber}.part`), { highWaterMark: 1 << 20 })) yield chunk as Buffer;
    }
  })(), { objectMode: false });
}

export function initiateXml(bucket: string, key: string, uploadId: string): string {
  return doc('InitiateMultipartUploadResult', el('Bucket', bucket) + el('Key', key) + el('UploadId', uploadId));
}

export function completeXml(location: string, bucket: string, key: string, etag: string): string {
  return doc('CompleteMultipartUploadResult', el('Location', location) + el('Bucket', bucket) + el('Key', key) + el('ETag', etag));
}

export function listPartsXml(bucket: string, key: string, uploadId: string, parts: PartInfo[], marker: number, maxParts: number, owner: string): string {
  const after = parts.filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  let s = el('Bucket', bucket) + el('Key', key) + el('UploadId', uploadId) +
    `<Initiator><ID>${owner}</ID><DisplayName>${owner}</DisplayName></Initiator><Owner><ID>${owner}</ID><DisplayName>${owner}</DisplayName></Owner>` +
    '<StorageClass>STANDARD</StorageClass>' + el('PartNumberMarker', marker) +
    el('NextPartNumberMarker', page.length ? page[page.length - 1]!.partNumber : marker) + el('MaxParts', maxParts) + el('IsTruncated', truncated);
  for (const p of page) s += `<Part>${el('PartNumber', p.partNumber)}${el('LastModified', isoDate(p.lastModifiedMs))}${el('ETag', p.etag)}${el('Size', p.size)}</Part>`;
  return doc('ListPartsResult', s);
}

export function listUploadsXml(bucket: string, prefix: string, uploads: UploadInfo[]): string {
  let s = el('Bucket', bucket) + '<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>' + el('Prefix', prefix) + el('MaxUploads', 1000) + el('IsTruncated', false);
  for (const u of uploads.slice(0, 1000)) {
    s += `<Upload>${el('Key', u.key)}${el('UploadId', u.uploadId)}<Initiator>${el('ID', u.user)}${el('DisplayName', u.user)}</Initiator>` +
      `<Owner>${el('ID', u.user)}${el('DisplayName', u.user)}</Owner><StorageClass>STANDARD</StorageClass>${el('Initiated', isoDate(u.initiatedMs))}</Upload>`;
  }
  return doc('ListMultipartUploadsResult', s);
}
