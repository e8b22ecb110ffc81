import { Transform, type Readable } from 'node:stream';
import { formatSize } from '../common/sizes.js';

/** What a progress line shows: files and bytes done of the totals, a rate, and an ETA. */
export interface ProgressFigures {
  bytesDone: number;
  bytesTotal: number;
  /** Omitted for a single-file transfer. */
  filesDone?: number;
  filesTotal?: number;
  bytesPerSec: number;
  /** False while the totals are still growing (listing not done): the ETA is then '?'. */
  totalsKnown?: boolean;
  failed?: number;
}

/** `[#####.....]  42% files 3/10 bytes 4.20MB/10.00MB 2.10MB/s ETA 3s`: one line, shared by cp and jobs. */
export function progressLine(f: ProgressFigures): string {
  const frac = f.bytesTotal > 0 ? Math.min(1, f.bytesDone / f.bytesTotal)
    : f.filesTotal ? Math.min(1, (f.filesDone ?? 0) / f.filesTotal) : f.totalsKnown === false ? 0 : 1;
  const width = 30;
  const filled = Math.round(frac * width);
  const left = Math.max(0, f.bytesTotal - f.bytesDone);
  const eta = f.totalsKnown === false ? '?' : left === 0 ? '0s' : f.bytesPerSec > 0 ? duration(left / f.bytesPerSec) : '-';
  const files = f.filesTotal !== undefined ? ` files ${f.filesDone ?? 0}/${f.filesTotal}${f.totalsKnown === false ? '+' : ''}` : '';
  const failed = f.failed !== undefined ? ` failed ${f.failed}` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%${files} `
    + `bytes ${formatSize(f.bytesDone)}/${formatSize(f.bytesTotal)} ${formatSize(f.bytesPerSec)}/s ETA ${eta}${failed}`;
}

function duration(secs: number): string {
  const s = Math.ceil(secs);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Whether a command shows progress: `--progress` / `--no-progress` when given, else only on a
 * terminal (stderr is a TTY), so piped or scripted runs stay quiet.
 */
export function progressWanted(flag: boolean | undefined, out: NodeJS.WriteStream = process.stderr): boolean {
  return flag ?? out.isTTY === true;
}

/**
 * A progress bar on stderr for a transfer of known size (bytes, and files for a tree). On a TTY it
 * redraws one line at most every 100 ms; elsewhere (forced with --progress) it prints a line per
 * second, so a log gets a readable trail instead of carriage returns.
 */
export class ProgressBar {
  private bytesDone = 0;
  private filesDone = 0;
  private failed = 0;
  private readonly start = Date.now();
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(private readonly totals: { bytes: number; files?: number }, private readonly label = '', private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = out.isTTY === true;
  }

  addBytes(n: number): void {
    this.bytesDone += n;
    this.maybeDraw();
  }

  fileDone(ok = true): void {
    this.filesDone++;
    if (!ok) this.failed++;
    this.maybeDraw();
  }

  finish(): void {
    this.draw();
    if (this.tty) this.out.write('\n');
  }

  private maybeDraw(): void {
    const now = Date.now();
    if (now - this.lastDraw >= (this.tty ? 100 : 1000)) {
      this.lastDraw = now;
      this.draw();
    }
  }

  private draw(): void {
    const secs = Math.max((Date.now() - this.start) / 1000, 0.001);
    const line = progressLine({
      bytesDone: this.bytesDone, bytesTotal: this.totals.bytes, bytesPerSec: this.bytesDone / secs,
      ...(this.totals.files !== undefined ? { filesDone: this.filesDone, filesTotal: this.totals.files, failed: this.failed } : {}),
    });
    const text = this.label ? `${this.label} ${line}` : line;
    this.out.write(this.tty ? `\r${text}\x1b[K` : `${text}\n`);
  }
}

/** `stream` counted into the bar as it flows (as is without a bar); its errors are passed on. */
export function counted(stream: Readable, bar: ProgressBar | undefined): Readable {
  if (!bar) return stream;
  const t = new Transform({ transform(chunk: Buffer, _e, cb) { bar.addBytes(chunk.length); cb(null, chunk); } });
  stream.once('error', (err) => t.destroy(err));
  return stream.pipe(t);
}
