import { pino, type Logger } from 'pino';

// Keys whose values are secrets anywhere in a log record. pino's redaction replaces them.
const REDACT = [
  '*.s3a.secretKey', '*.secretKey', '*.secret', '*.password', '*.aws.secretKey',
  '*["s3a.secretKey"]', '*["alluxio.etcd.password"]', '*["aws.secretKey"]', 'options["s3a.secretKey"]',
];

export function createLogger(name: string, level = process.env.ALLUXIO_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '***' } });
}

export type { Logger };
