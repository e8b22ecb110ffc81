import { createRequire } from 'node:module';
import type { DestinationStream, Logger } from 'pino';
import { InvalidArgumentError, NotFoundError } from './errors.js';
import { effectiveLogFormat } from './log-format.js';
import { recordLogCall } from './recent-warnings.js';

// Keys whose values are secrets anywhere in a log record. pino's redaction replaces them.
const REDACT = [
  '*.s3a.secretKey', '*.secretKey', '*.secret', '*.password', '*.aws.secretKey',
  '*["s3a.secretKey"]', '*["alluxio.etcd.password"]', '*["aws.secretKey"]', 'options["s3a.secretKey"]',
];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = typeof LOG_LEVELS[number];

/** Every logger of this process by name (weakly held), so the level can change at run time. */
const loggers = new Map<string, Set<WeakRef<Logger>>>();

// pino is required at the first logger made, not imported: a CLI call that never logs skips its load.
const require = createRequire(import.meta.url);

export function createLogger(name: string, level = process.env.ALLUXIO_LOG_LEVEL ?? 'info'): Logger {
  const log = newPino(name, level);
  register(name, log);
  return log;
}

/**
 * A logger whose pino instance is made at its first use (a call, or reading or setting a field):
 * for code that one-shot CLI processes load too and that seldom logs. Listed and set by name like
 * createLogger's.
 */
export function lazyLogger(name: string, level = process.env.ALLUXIO_LOG_LEVEL ?? 'info'): Logger {
  let real: Logger | undefined;
  const get = (): Logger => real ??= newPino(name, level);
  const lazy = new Proxy({} as Logger, {
    get(_t, p) {
      const r = get();
      const v: unknown = Reflect.get(r, p, r);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(r) : v;
    },
    set: (_t, p, v) => Reflect.set(get(), p, v),
    has: (_t, p) => Reflect.has(get(), p),
  });
  register(name, lazy);
  return lazy;
}

function newPino(name: string, level: string): Logger {
  const { pino } = require('pino') as typeof import('pino');
  const opts = {
    name, level, redact: { paths: REDACT, censor: '***' },
    // Warnings and errors also go to the in-memory list the web console shows (recent-warnings.ts).
    hooks: { logMethod(this: Logger, args: Parameters<Logger['info']>, method: Logger['info'], lvl: number) { recordLogCall(lvl, name, args); return method.apply(this, args); } },
  };
  return effectiveLogFormat() === 'TEXT' ? pino(opts, textDestination(process.stdout)) : pino(opts);
}

function register(name: string, log: Logger): void {
  let set = loggers.get(name);
  if (!set) loggers.set(name, set = new Set());
  set.add(new WeakRef(log));
}

export interface LoggerLevel { name: string; level: string }

/** The live loggers' levels, one entry per name (`name`: only that one). */
export function loggerLevels(name?: string): LoggerLevel[] {
  const out: LoggerLevel[] = [];
  for (const [n, set] of loggers) {
    if (name !== undefined && n !== name) continue;
    const live = [...set].map((r) => r.deref()).filter((l): l is Logger => l !== undefined);
    for (const r of set) if (r.deref() === undefined) set.delete(r);
    if (live.length > 0) out.push({ name: n, level: live[live.length - 1]!.level });
  }
  if (name !== undefined && out.length === 0) throw new NotFoundError(`no logger named '${name}' in this process (loggers: ${[...loggers.keys()].join(', ') || 'none'})`);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Sets the level of every live logger named `name` (every logger when undefined); returns the new levels. */
export function setLogLevel(level: string, name?: string): LoggerLevel[] {
  const l = level.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(l)) throw new InvalidArgumentError(`unknown log level '${level}': use one of ${LOG_LEVELS.join(', ')}`);
  const targets = loggerLevels(name); // throws for an unknown name before anything changes
  for (const t of targets) for (const r of loggers.get(t.name)!) { const log = r.deref(); if (log) log.level = l; }
  return loggerLevels(name);
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** One readable line from a pino record: `2026-12-03 02:55:01.123 INFO  worker: message key=value`. */
export function formatTextLine(record: Record<string, unknown>): string {
  const d = new Date(typeof record.time === 'number' ? record.time : Date.now());
  const time = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const level = (LEVEL_NAMES[record.level as number] ?? String(record.level)).padEnd(5);
  let line = `${time} ${level} ${String(record.name ?? '-')}: ${String(record.msg ?? '')}`;
  for (const [k, v] of Object.entries(record)) {
    if (OMIT.has(k) || v === undefined) continue;
    const text = typeof v === 'string' ? (/[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v)
      : (v !== null && typeof v === 'object' && 'message' in v && typeof (v as { message: unknown }).message === 'string') ? JSON.stringify((v as { message: string }).message)
        : JSON.stringify(v);
    line += ` ${k}=${text}`;
  }
  return line + '\n';
}

/** A pino destination that writes each (already redacted) JSON record as a readable line. */
function textDestination(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(json: string): void {
      try {
        out.write(formatTextLine(JSON.parse(json) as Record<string, unknown>));
      } catch {
        out.write(json);
      }
    },
  };
}

export type { Logger };
