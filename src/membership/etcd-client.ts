import { readFileSync } from 'node:fs';
import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, noop, retry, type IBackoff } from 'cockatiel';
import { Etcd3, isRecoverableError, type IOptions } from 'etcd3';
import { AlluxioError, InvalidConfError } from '../common/errors.js';

/** How to reach etcd. Mirrors the `alluxio.etcd.*` properties (see etcdClientOptionsFromProperties). */
export interface EtcdClientOptions {
  /** `host:port` or `http(s)://host:port`; several for a cluster. */
  endpoints: string[];
  username?: string;
  /** Never logged, never put in an error message. */
  password?: string;
  /** Set (even to `{}`) to talk TLS. Values are file paths (PEM). */
  tls?: { ca?: string; cert?: string; key?: string };
  /** Deadline of each unary call, connection set-up included. Default 5000. */
  dialTimeoutMs?: number;
}

export const ETCD_PROPERTY = {
  endpoints: 'alluxio.etcd.endpoints',
  username: 'alluxio.etcd.username',
  password: 'alluxio.etcd.password',
  tlsEnabled: 'alluxio.etcd.tls.enabled',
  tlsCert: 'alluxio.etcd.tls.client.cert',
  tlsKey: 'alluxio.etcd.tls.client.key',
  tlsCa: 'alluxio.etcd.tls.ca.cert',
} as const;

const DEFAULT_DIAL_TIMEOUT_MS = 5000;

/** Reads the `alluxio.etcd.*` properties (values as strings, as in alluxio-site.properties). */
export function etcdClientOptionsFromProperties(props: Readonly<Record<string, string | undefined>>): EtcdClientOptions {
  const get = (k: string): string | undefined => {
    const v = props[k]?.trim();
    return v ? v : undefined;
  };
  const endpointsText = get(ETCD_PROPERTY.endpoints);
  if (!endpointsText) throw new InvalidConfError(`${ETCD_PROPERTY.endpoints} is not set: expected a comma-separated list such as http://etcd-0:2379,http://etcd-1:2379`);
  const tlsEnabled = get(ETCD_PROPERTY.tlsEnabled);
  if (tlsEnabled !== undefined && !/^(true|false)$/i.test(tlsEnabled)) {
    throw new InvalidConfError(`bad value '${tlsEnabled}' for ${ETCD_PROPERTY.tlsEnabled}: expected true or false`);
  }
  const opts: EtcdClientOptions = {
    endpoints: endpointsText.split(',').map((s) => s.trim()).filter(Boolean),
    username: get(ETCD_PROPERTY.username),
    password: props[ETCD_PROPERTY.password] || undefined, // a password may have meaningful spaces
  };
  if (tlsEnabled?.toLowerCase() === 'true') {
    opts.tls = { ca: get(ETCD_PROPERTY.tlsCa), cert: get(ETCD_PROPERTY.tlsCert), key: get(ETCD_PROPERTY.tlsKey) };
  }
  return opts;
}

/** Endpoints and user for log lines and errors; never the password. */
export function describeEtcd(opts: Pick<EtcdClientOptions, 'endpoints' | 'username'>): string {
  return `etcd ${opts.endpoints.join(',')}${opts.username ? ` as user ${opts.username}` : ''}`;
}

/**
 * Asks etcd for its status once, with no retry, and fails within `timeoutMs` when no endpoint
 * answers. For the CLI: a command that needs etcd says at once which endpoints it tried and what to
 * check, instead of waiting for the retries that keep long-running processes alive through an outage.
 */
export async function probeEtcd(opts: EtcdClientOptions, timeoutMs: number): Promise<void> {
  const client = new Etcd3({ ...toEtcd3Options({ ...opts, dialTimeoutMs: timeoutMs }), faultHandling: { global: noop } });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.maintenance.status(),
      // gRPC's deadline ends the call; this only guards against a library that would not.
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs + 500); }),
    ]);
  } catch (err) {
    throw new AlluxioError('ALX_ERR_ETCD_UNAVAILABLE', unreachableMessage(opts, timeoutMs, err), { cause: err });
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

function unreachableMessage(opts: EtcdClientOptions, timeoutMs: number, err: unknown): string {
  // gRPC appends 'Resolution note: ...' and nested 'Last error:' text: keep the first useful part.
  const cause = String((err as Error)?.message ?? err).replace(/\s*Resolution note:.*$/s, '').trim();
  return `cannot reach ${describeEtcd(opts)} within ${timeoutMs / 1000}s (${cause}). ` +
    `Check that etcd is running and reachable from this host, and that ${ETCD_PROPERTY.endpoints} lists its client URLs ` +
    `(alluxio conf get ${ETCD_PROPERTY.endpoints} --source shows where the value comes from)`;
}

/**
 * Creates an etcd3 client tuned for membership: a failed endpoint is retried after 1s (not the
 * library's 5s), watch streams reconnect within 2s, gRPC keepalives notice a dead connection,
 * and unary calls have a deadline so a read never hangs while etcd is down.
 */
export function createEtcdClient(opts: EtcdClientOptions): Etcd3 {
  return new Etcd3(toEtcd3Options(opts));
}

export function toEtcd3Options(opts: EtcdClientOptions): IOptions {
  if (!opts || !Array.isArray(opts.endpoints) || opts.endpoints.length === 0) {
    throw new InvalidConfError(`${ETCD_PROPERTY.endpoints} is empty: expected at least one endpoint such as http://127.0.0.1:2379`);
  }
  const tls = opts.tls !== undefined;
  const hosts = opts.endpoints.map((e) => normalizeEndpoint(e, tls));
  const dialTimeoutMs = opts.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
  if (!Number.isFinite(dialTimeoutMs) || dialTimeoutMs <= 0) {
    throw new InvalidConfError(`bad etcd dial timeout ${dialTimeoutMs}: expected a positive number of milliseconds`);
  }
  if (opts.password !== undefined && !opts.username) {
    throw new InvalidConfError(`${ETCD_PROPERTY.password} is set but ${ETCD_PROPERTY.username} is not: set both or neither`);
  }
  if (opts.username && opts.password === undefined) {
    throw new InvalidConfError(`${ETCD_PROPERTY.username} is set but ${ETCD_PROPERTY.password} is not: set both or neither`);
  }
  const out: IOptions = {
    hosts,
    dialTimeout: dialTimeoutMs,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + dialTimeoutMs }),
    grpcOptions: {
      'grpc.keepalive_time_ms': 10_000, // etcd's default enforcement minimum is 5s
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2_000,
    },
    faultHandling: {
      host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1_000, breaker: new ConsecutiveBreaker(3) }),
      global: retry(handleWhen(isRecoverableError), { maxAttempts: Math.max(3, hosts.length) }),
      // etcd3 calls .next() on this for a fresh backoff (a factory), though its type says IBackoff.
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2_000 }) as unknown as IBackoff<unknown>,
    },
  };
  if (opts.username) {
    // The deadline is computed per call: a fixed one would have expired for later re-authentications.
    out.auth = { username: opts.username, password: opts.password!, callOptions: () => ({ deadline: Date.now() + dialTimeoutMs }) };
  }
  if (tls && (opts.tls!.ca || opts.tls!.cert || opts.tls!.key)) {
    const { ca, cert, key } = opts.tls!;
    if (Boolean(cert) !== Boolean(key)) {
      throw new InvalidConfError(`${ETCD_PROPERTY.tlsCert} and ${ETCD_PROPERTY.tlsKey} go together: set both or neither`);
    }
    out.credentials = {
      // grpc uses the system roots when the CA is null; the etcd3 type says Buffer, so cast.
      rootCertificate: (ca ? readPem(ca, ETCD_PROPERTY.tlsCa) : null) as Buffer,
      certChain: cert ? readPem(cert, ETCD_PROPERTY.tlsCert) : undefined,
      privateKey: key ? readPem(key, ETCD_PROPERTY.tlsKey) : undefined,
    };
  }
  return out;
}

function normalizeEndpoint(endpoint: string, tls: boolean): string {
  const e = String(endpoint).trim();
  const m = /^(?:(https?):\/\/)?([^/:\s]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\/?$/.exec(e);
  if (!m || Number(m[3]) > 65535) {
    throw new InvalidConfError(`bad etcd endpoint '${e}' in ${ETCD_PROPERTY.endpoints}: expected host:port or http(s)://host:port`);
  }
  if (m[1] === 'http' && tls) {
    throw new InvalidConfError(`etcd endpoint '${e}' says http but ${ETCD_PROPERTY.tlsEnabled}=true: use https:// or disable TLS`);
  }
  const scheme = m[1] ?? (tls ? 'https' : 'http');
  return `${scheme}://${m[2]}:${m[3]}`;
}

function readPem(path: string, property: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InvalidConfError(`cannot read ${property} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
