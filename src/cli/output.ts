import { AlluxioError, toAlluxioError } from '../common/errors.js';

/** Prints rows as an aligned table with a header (humans), or JSON (scripts, with --json). */
export function printTable(headers: string[], rows: Array<Array<string | number>>, out: NodeJS.WritableStream = process.stdout): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells: Array<string | number>) => cells.map((c, i) => String(c ?? '').padEnd(widths[i]!)).join('  ').trimEnd();
  out.write(line(headers) + '\n');
  for (const r of rows) out.write(line(r) + '\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Exit code and message for a failed command: the error's code and message, never a stack. */
export function reportError(err: unknown): number {
  const e = err instanceof AlluxioError ? err : toAlluxioError(err);
  process.stderr.write(`Error: ${e.message}${e.code && e.code !== 'ALX_ERR_INTERNAL' ? ` (${e.code})` : ''}\n`);
  if (process.env.ALLUXIO_DEBUG && err instanceof Error) {
    process.stderr.write(`${err.stack}\n`);
    if (err.cause instanceof Error) process.stderr.write(`caused by: ${err.cause.stack}\n`);
  }
  return 1;
}

/** A progress bar on stderr: `[#####.....]  42% 420.0MB/1.0GB 210.3MB/s`. */
export class ProgressBar {
  private done = 0;
  private readonly start = Date.now();
  private lastDraw = 0;

  constructor(private readonly total: number, private readonly label: string, private readonly out: NodeJS.WriteStream = process.stderr) {}

  add(n: number): void {
    this.done += n;
    const now = Date.now();
    if (now - this.lastDraw >= 100 || this.done >= this.total) {
      this.lastDraw = now;
      this.draw();
    }
  }

  finish(): void {
    this.draw();
    this.out.write('\n');
  }

  private draw(): void {
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const secs = Math.max((Date.now() - this.start) / 1000, 0.001);
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    this.out.write(`\r${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(this.done)}/${mb(this.total)} ${mb(this.done / secs)}/s`);
  }
}

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)}MB`;
}

/** Alluxio's CLI date format: MM-dd-yyyy HH:mm:ss:SSS (local time). */
export function alluxioDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getMonth() + 1)}-${p(d.getDate())}-${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`;
}
