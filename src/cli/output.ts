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

/** True for the error of writing to a pipe whose reader has gone (`alluxio fs cat f | head -c10`). */
export function isBrokenPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/**
 * A reader that stops early (`| head`) closes the pipe: stop quietly with status 0, as Unix tools
 * do, instead of an unhandled EPIPE and a stack trace.
 */
export function exitQuietlyOnBrokenPipe(): void {
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (err) => {
      if (isBrokenPipe(err)) process.exit(0);
      throw err;
    });
  }
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

/** Alluxio's CLI date format: MM-dd-yyyy HH:mm:ss:SSS (local time). */
export function alluxioDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getMonth() + 1)}-${p(d.getDate())}-${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`;
}
