// The last warn/error log records of this process, kept in memory for the web console's
// "recent warnings" view. logging.ts feeds it from pino's logMethod hook; nothing is read back on
// the logging path. Fields are redacted here (pino redacts only what it writes), so a record
// never carries a secret into the console.
import { isSecretKey } from './secrets.js';

export interface WarningRecord {
  /** Epoch ms. */
  time: number;
  level: 'warn' | 'error' | 'fatal';
  /** The logger's name (worker, coordinator, ...). */
  component: string;
  msg: string;
  /** The record's fields as short text, secrets as ***. */
  fields: Record<string, string>;
}

const CAPACITY = 200;
const MAX_FIELD = 300;
const MAX_MSG = 1000;
const PINO_WARN = 40;

const ring: (WarningRecord | undefined)[] = new Array(CAPACITY);
let next = 0;
let total = 0;

function levelName(level: number): WarningRecord['level'] {
  return level >= 60 ? 'fatal' : level >= 50 ? 'error' : 'warn';
}

function fieldText(key: string, v: unknown): string {
  if (isSecretKey(key)) return '***';
  if (v instanceof Error) return v.message.slice(0, MAX_FIELD);
  const s = typeof v === 'string' ? v : JSON.stringify(v, (k, x: unknown) => (k !== '' && isSecretKey(k) ? '***' : x)) ?? String(v);
  return s.length > MAX_FIELD ? `${s.slice(0, MAX_FIELD)}...` : s;
}

/** Called by the logger for every record at `level`; keeps warn (40) and above. */
export function recordLogCall(level: number, component: string, args: readonly unknown[]): void {
  if (level < PINO_WARN) return;
  let msg = '';
  const fields: Record<string, string> = {};
  const first = args[0];
  if (first instanceof Error) {
    fields.err = fieldText('err', first);
    msg = typeof args[1] === 'string' ? args[1] : first.message;
  } else if (first !== null && typeof first === 'object') {
    for (const [k, v] of Object.entries(first)) fields[k] = fieldText(k, v);
    msg = typeof args[1] === 'string' ? args[1] : '';
  } else {
    msg = String(first ?? '');
  }
  ring[next] = { time: Date.now(), level: levelName(level), component, msg: msg.slice(0, MAX_MSG), fields };
  next = (next + 1) % CAPACITY;
  total++;
}

/** The kept records, newest first, and how many were recorded since the process started. */
export function recentWarnings(limit = CAPACITY): { total: number; records: WarningRecord[] } {
  const out: WarningRecord[] = [];
  for (let i = 1; i <= CAPACITY && out.length < limit; i++) {
    const r = ring[(next - i + CAPACITY) % CAPACITY];
    if (r === undefined) break;
    out.push(r);
  }
  return { total, records: out };
}
