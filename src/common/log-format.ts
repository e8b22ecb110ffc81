// The process's log line format (alluxio.logger.format), set once the configuration is loaded
// (cli/context.ts) and read when a logger is created. Apart from logging.ts so that setting it
// does not load pino.

export type LogFormat = 'AUTO' | 'TEXT' | 'JSON';

let format: LogFormat = 'AUTO';

export function setLogFormat(f: LogFormat): void {
  format = f;
}

/** TEXT or JSON for a logger writing to `out` now (AUTO: TEXT on a terminal). */
export function effectiveLogFormat(out: { isTTY?: boolean } = process.stdout): 'TEXT' | 'JSON' {
  if (format !== 'AUTO') return format;
  return out.isTTY === true ? 'TEXT' : 'JSON';
}
