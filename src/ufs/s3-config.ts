import { S3Client } from '@aws-sdk/client-s3';
import { InvalidConfError } from '../common/errors.js';
import { DURATION_FORM, parseDuration } from '../common/sizes.js';
import type { UfsOptions } from './under-file-system.js';

/** Option keys the S3 back end reads (Alluxio's names). Mount options override global properties. */
export const S3_KEYS = {
  accessKeyId: 's3a.accessKeyId',
  secretKey: 's3a.secretKey',
  awsAccessKeyId: 'aws.accessKeyId',
  awsSecretKey: 'aws.secretKey',
  region: 'alluxio.underfs.s3.region',
  endpoint: 'alluxio.underfs.s3.endpoint',
  disableDnsBuckets: 'alluxio.underfs.s3.disable.dns.buckets',
  maxErrorRetry: 'alluxio.underfs.s3.max.error.retry',
  requestTimeout: 'alluxio.underfs.s3.request.timeout',
  connectTimeout: 'alluxio.underfs.s3.connect.timeout',
} as const;

export interface S3UfsConfig {
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  /** Retries after the first attempt. */
  maxErrorRetry: number;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  /** Absent: the SDK's default chain (environment, profile, instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** Knobs that are not Alluxio properties (tests shorten the backoff). */
export interface S3UfsTuning {
  /** First backoff step; each retry doubles it, with full jitter. Default 100 ms. */
  retryBaseDelayMs?: number;
  /** Backoff ceiling. Default 20 s. */
  retryMaxDelayMs?: number;
}

export function parseS3Options(options: UfsOptions): S3UfsConfig {
  const get = (k: string): string | undefined => {
    const v = options[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const accessKeyId = get(S3_KEYS.accessKeyId) ?? get(S3_KEYS.awsAccessKeyId);
  const secretAccessKey = get(S3_KEYS.secretKey) ?? get(S3_KEYS.awsSecretKey);
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    // Name the keys, never the values.
    throw new InvalidConfError(`S3 credentials need both ${S3_KEYS.accessKeyId} and ${S3_KEYS.secretKey} (or ${S3_KEYS.awsAccessKeyId} and ${S3_KEYS.awsSecretKey}); only one was given`);
  }
  const endpoint = get(S3_KEYS.endpoint);
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(endpoint)) {
    throw new InvalidConfError(`bad ${S3_KEYS.endpoint} '${endpoint}': expected http://host:port or https://host`);
  }
  return {
    region: get(S3_KEYS.region) ?? 'us-east-1',
    endpoint,
    // Custom endpoints (MinIO, Ceph, s3rver) seldom have wildcard DNS for virtual-host buckets.
    forcePathStyle: endpoint !== undefined || parseBool(S3_KEYS.disableDnsBuckets, get(S3_KEYS.disableDnsBuckets) ?? 'false'),
    maxErrorRetry: parseCount(S3_KEYS.maxErrorRetry, get(S3_KEYS.maxErrorRetry) ?? '5'),
    requestTimeoutMs: parseTimeout(S3_KEYS.requestTimeout, get(S3_KEYS.requestTimeout) ?? '60s'),
    connectTimeoutMs: parseTimeout(S3_KEYS.connectTimeout, get(S3_KEYS.connectTimeout) ?? '10s'),
    credentials: accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey } : undefined,
  };
}

export function createS3Client(config: S3UfsConfig): S3Client {
  // The project runs on Node 20 on purpose (DESIGN §12); the SDK's notice that later
  // versions will need Node 22 would otherwise print on every process's stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: config.region,
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    ...(config.credentials !== undefined ? { credentials: config.credentials } : {}),
    // We retry ourselves (counted, with our own error), so the SDK makes one attempt per call.
    maxAttempts: 1,
    // socketTimeout also catches a body that stops flowing mid-read.
    requestHandler: { connectionTimeout: config.connectTimeoutMs, socketTimeout: config.requestTimeoutMs },
    // Flexible checksums (aws-chunked bodies) only where the API requires them: S3-compatible
    // stores often reject them, and we send Content-MD5 ourselves.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function parseBool(key: string, v: string): boolean {
  const s = v.toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw new InvalidConfError(`bad ${key} '${v}': expected true or false`);
}

function parseCount(key: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidConfError(`bad ${key} '${v}': expected an integer >= 0`);
  return Number(v);
}

function parseTimeout(key: string, v: string): number {
  let ms: number;
  try {
    ms = parseDuration(v);
  } catch {
    throw new InvalidConfError(`bad ${key} '${v}': expected ${DURATION_FORM}`);
  }
  if (ms < 1) throw new InvalidConfError(`bad ${key} '${v}': must be at least 1ms`);
  return ms;
}
