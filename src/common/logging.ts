import { pino, type Logger } from 'pino';
import { recordLogCall } from './recent-warnings.js';

// Keys whose values are secrets anywhere in a log record. pino's redaction replaces them.
const REDACT = [
  '*.s3a.secretKey', '*.secretKey', '*.secret', '*.password', '*.aws.secretKey',
  '*["s3a.secretKey"]', '*["alluxio.etcd.password"]', '*["aws.secretKey"]', 'options["s3a.secretKey"]',
];

export function createLogger(name: string, level = process.env.ALLUXIO_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name, level, redact: { paths: REDACT, censor: '***' },
    // Warnings and errors also go to the in-memory list the web console shows (recent-warnings.ts).
    hooks: { logMethod(args, method, lvl) { recordLogCall(lvl, name, args); return method.apply(this, args); } },
  });
}

export type { Logger };
