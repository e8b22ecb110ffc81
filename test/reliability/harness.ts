// The reliability suite's cluster and load: a real etcd, three `alluxio process start worker`
// processes and a coordinator process (the shape of `alluxio local start --workers 3`), a local UFS
// directory of files whose bytes are derived from (name, version), and readers that check every
// byte through the client library, the REST API and the S3 API and count what they saw.
import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { createLogger } from '../../src/common/logging.js';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, readAll, startWorkerProcesses, writeEtcdConf, WorkerProcess, type EtcdClusterConf } from '../cluster/harness.js';

export { readAll };
export const PAGE = 64 * 1024;
/** The UFS directory that is an S3 bucket (a top-level directory of the root mount). */
export const BUCKET = 'data';

/**
 * Deterministic bytes of version `version` of file `name`: AES-128-CTR over zeros keyed by both, so
 * two versions (or two files) never share a 16-byte block and any byte can be told apart.
 */
export function versionBytes(name: string, version: number, length: number): Buffer {
  const key = createHash('sha256').update(`${name}\0v${version}`).digest().subarray(0, 16);
  const c = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([c.update(Buffer.alloc(length)), c.final()]);
}

/**
 * Where each byte of `got` came from: runs of 512-byte blocks labelled with the version whose bytes
 * they equal at that offset, or '?' for bytes of none. e.g. "[0,131072) v1 + [131072,300000) v2".
 */
export function provenance(got: Buffer, versions: Record<string, Buffer>): string {
  const BLOCK = 512;
  const runs: Array<{ from: number; to: number; label: string }> = [];
  for (let off = 0; off < got.length; off += BLOCK) {
    const end = Math.min(off + BLOCK, got.length);
    const slice = got.subarray(off, end);
    const label = Object.entries(versions).find(([, v]) => v.length >= end && v.subarray(off, end).equals(slice))?.[0] ?? '?';
    const last = runs[runs.length - 1];
    if (last && last.label === label) last.to = end;
    else runs.push({ from: off, to: end, label });
  }
  return runs.map((r) => `[${r.from},${r.to}) ${r.label}`).join(' + ') || '(empty)';
}

/** The labels `provenance` found, e.g. ['v1', 'v2'] for a mixed read. */
export function sources(got: Buffer, versions: Record<string, Buffer>): string[] {
  return [...new Set(provenance(got, versions).split(' + ').map((r) => r.split(' ')[1]!))];
}

export interface ReliabilityClusterOptions {
  workers?: number;
  /** Extra properties for every process (site properties). */
  props?: Record<string, string>;
  /** Files to write under the bucket dir before the cluster starts: name → length (version 1). */
  files?: Record<string, number>;
}

export class ReliabilityCluster {
  /** Alluxio path → expected bytes (the version the UFS holds now). */
  readonly files = new Map<string, Buffer>();
  readonly clients: AlluxioClient[] = [];

  constructor(readonly tmp: TempDir, readonly ufs: string, readonly etcd: EtcdCluster, readonly cc: EtcdClusterConf,
    public workers: WorkerProcess[], public coordinator: CoordinatorProcess) {}

  get client(): AlluxioClient { return this.clients[0]!; }

  /** Writes version `version` of /data/<name> into the UFS and records it as the expected bytes. */
  writeFile(name: string, length: number, version = 1): Buffer {
    const data = versionBytes(name, version, length);
    writeFileSync(join(this.ufs, BUCKET, name), data);
    this.files.set(`/${BUCKET}/${name}`, data);
    return data;
  }

  /** The worker process that owns an Alluxio path on the ring (as the clients see it), and the next ones. */
  owners(path: string, count = 3): WorkerProcess[] {
    return this.client.owners(path, count).map((w) => {
      const p = this.workers.find((x) => x.ports.http === w.address.HttpServerPort);
      if (!p) throw new Error(`no worker process listens on ${w.address.HttpServerPort}`);
      return p;
    });
  }

  s3Url(w: WorkerProcess): string { return `http://127.0.0.1:${w.ports.s3}`; }

  /** The LOCAL page store root of a worker: <dir>/LOCAL/<pageSize>. */
  pageRoot(w: WorkerProcess): string {
    return join(this.tmp.path, `worker-${w.index}`, 'pagestore', 'LOCAL', String(PAGE));
  }

  /** The directory holding the cached pages of a UFS file on a worker (found by its fileId). */
  pageDir(w: WorkerProcess, path: string): string | undefined {
    const fileId = createHash('sha256').update(this.client.ufsUriOf(path)).digest('hex');
    const root = this.pageRoot(w);
    let buckets: string[];
    try { buckets = readdirSync(root); } catch { return undefined; }
    for (const b of buckets) {
      if (b === 'TEMP') continue;
      const d = join(root, b, fileId);
      try { readdirSync(d); return d; } catch { /* not this bucket */ }
    }
    return undefined;
  }

  async waitAllLive(n = this.workers.length): Promise<void> {
    await waitFor(`clients see ${n} live workers`, () => this.clients.every((c) => c.ring.liveWorkers.length === n), 30_000, 100);
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close().catch(() => {})));
    await Promise.all(this.workers.map((w) => w.kill('SIGKILL')));
    await this.coordinator?.kill('SIGKILL');
    await this.etcd?.cleanup();
    await this.tmp.cleanup();
  }
}

/** Starts etcd, the workers, the coordinator and two clients over a fresh UFS directory. */
export async function startReliabilityCluster(o: ReliabilityClusterOptions = {}): Promise<ReliabilityCluster> {
  const tmp = await makeTempDir('alluxio-reliability-');
  const ufs = join(tmp.path, 'ufs');
  mkdirSync(join(ufs, BUCKET), { recursive: true });
  let etcd: EtcdCluster | undefined;
  let workers: WorkerProcess[] = [];
  let coordinator: CoordinatorProcess | undefined;
  try {
    etcd = await startEtcd({ members: 1 });
    const cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.worker.page.store.page.size': `${PAGE / 1024}KB`,
      ...o.props,
    });
    const pending = Object.entries(o.files ?? {}).map(([name, length]) => ({ name, data: versionBytes(name, 1, length) }));
    for (const f of pending) writeFileSync(join(ufs, BUCKET, f.name), f.data);
    workers = await startWorkerProcesses(cc, tmp.path, o.workers ?? 3);
    coordinator = await CoordinatorProcess.start(cc);
    const c = new ReliabilityCluster(tmp, ufs, etcd, cc, workers, coordinator);
    for (const f of pending) c.files.set(`/${BUCKET}/${f.name}`, f.data);
    for (let i = 0; i < 2; i++) c.clients.push(await createClient(cc.conf(), { log: createLogger('test-client', 'silent') }));
    await c.waitAllLive(workers.length);
    return c;
  } catch (err) {
    await Promise.all(workers.map((w) => w.kill()));
    await coordinator?.kill();
    await etcd?.cleanup();
    await tmp.cleanup();
    throw err;
  }
}

// ---- read load

export type Api = 'client' | 'rest' | 's3';
export const APIS: Api[] = ['client', 'rest', 's3'];

export interface Counts {
  ok: number;
  failed: number;
  wrong: number;
  /** The first few failures and wrong reads, for the assertion message. */
  samples: string[];
}

export interface ReadLoadOptions {
  /** Concurrent readers per API. */
  readers?: Partial<Record<Api, number>>;
  /** Workers REST and S3 readers may send requests to (a plain HTTP client cannot use a dead one). */
  entries: () => WorkerProcess[];
  /** Paths to read (default: every file of the cluster). */
  paths?: string[];
}

export interface ReadLoad {
  counts: Record<Api, Counts>;
  /** Waits until at least n reads more than now have completed, whatever their outcome. */
  waitReads(n: number): Promise<void>;
  stop(): Promise<Record<Api, Counts>>;
}

/**
 * Readers in a loop over random files, each read checked byte for byte against the file's expected
 * bytes: the client library (failover along the ring, then the UFS), REST GET /v1/read and S3
 * GetObject on a random entry worker.
 */
export function startReadLoad(c: ReliabilityCluster, o: ReadLoadOptions): ReadLoad {
  const counts = Object.fromEntries(APIS.map((a) => [a, { ok: 0, failed: 0, wrong: 0, samples: [] }])) as unknown as Record<Api, Counts>;
  const paths = o.paths ?? [...c.files.keys()];
  let running = true;
  const total = () => APIS.reduce((s, a) => s + counts[a].ok + counts[a].failed + counts[a].wrong, 0);
  const note = (a: Api, what: string) => { if (counts[a].samples.length < 5) counts[a].samples.push(what); };

  const readOnce = async (api: Api, path: string, i: number): Promise<Buffer> => {
    if (api === 'client') return readAll(c.clients[i % c.clients.length]!, path);
    const entries = o.entries();
    const w = entries[Math.floor(Math.random() * entries.length)]!;
    const url = api === 'rest' ? `${w.rest}/v1/read?path=${encodeURIComponent(path)}` : `${c.s3Url(w)}${path}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (res.status !== 200) throw new Error(`${api} ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    return Buffer.from(await res.arrayBuffer());
  };

  const loops: Promise<void>[] = [];
  for (const api of APIS) {
    for (let i = 0; i < (o.readers?.[api] ?? 2); i++) {
      loops.push((async () => {
        while (running) {
          const path = paths[Math.floor(Math.random() * paths.length)]!;
          const want = c.files.get(path)!;
          try {
            const got = await readOnce(api, path, i);
            if (got.equals(want)) counts[api].ok++;
            else {
              counts[api].wrong++;
              note(api, `${path}: ${got.length} bytes (want ${want.length}): ${provenance(got, { expected: want })}`);
            }
          } catch (err) {
            counts[api].failed++;
            note(api, `${path}: ${(err as Error).message}`);
          }
        }
      })());
    }
  }
  return {
    counts,
    async waitReads(n) {
      const target = total() + n;
      await waitFor(`${n} more reads`, () => total() >= target, 60_000, 20);
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      return counts;
    },
  };
}

/** One readable line per API and the total, e.g. for the test log. */
export function formatCounts(label: string, counts: Record<Api, Counts>): string {
  const t = APIS.reduce((s, a) => ({ ok: s.ok + counts[a].ok, failed: s.failed + counts[a].failed, wrong: s.wrong + counts[a].wrong }), { ok: 0, failed: 0, wrong: 0 });
  const per = APIS.map((a) => `${a} ${counts[a].ok}/${counts[a].failed}/${counts[a].wrong}`).join(', ');
  return `[reliability] ${label}: reads ok=${t.ok} failed=${t.failed} wrong=${t.wrong} (ok/failed/wrong by API: ${per})`;
}

export function printCounts(label: string, counts: Record<Api, Counts>): void {
  console.log(formatCounts(label, counts));
  for (const a of APIS) for (const s of counts[a].samples) console.log(`[reliability]   ${a}: ${s}`);
}

export function failures(counts: Record<Api, Counts>): { failed: number; wrong: number; ok: number } {
  return APIS.reduce((s, a) => ({ ok: s.ok + counts[a].ok, failed: s.failed + counts[a].failed, wrong: s.wrong + counts[a].wrong }), { ok: 0, failed: 0, wrong: 0 });
}

/** Open file descriptors of a process, by /proc/<pid>/fd. */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
