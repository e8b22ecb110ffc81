import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { AlluxioConfiguration } from '../conf/index.js';
import { AlluxioError } from '../common/errors.js';
import type { Logger } from '../common/logging.js';
import { metrics, startProcessMetrics } from '../common/metrics.js';
import { normalizePath } from '../common/paths.js';
import { VERSION } from '../common/version.js';
import { WEB_ROUTES } from '../common/protocol/index.js';
import { createClient } from '../client/from-conf.js';
import type { AlluxioClient } from '../client/alluxio-client.js';
import { createWebServer } from '../worker/web-server.js';
import { workerRestGuard } from '../worker/rest-auth.js';
import type { RequestGuard } from '../common/http.js';
import { ByteBudget } from './byte-budget.js';
import { FuseOps } from './fuse-ops.js';
import { FastReads, fastReadStats } from './fast-reads.js';
import { loadFuseBinding } from './fuse-binding.js';
import { setKernelReadAhead } from './kernel-read-ahead.js';
import { cleanStaleMount, detachMount, mountAt } from './local-mounts.js';
import { DirectPages } from '../client/direct-pages.js';
import { MetadataCache } from './metadata-cache.js';
import { PageCacheGroups } from './page-cache-groups.js';
import { mountOptions } from './mount-options.js';

/** How often the process checks that its mount is still there (someone may unmount it). */
const WATCH_MS = 2000;

export interface FuseMount {
  readonly point: string;
  readonly webPort: number;
  readonly options: string[];
  /** Resolves when the mount went away from outside (fusermount -u, umount). */
  readonly gone: Promise<void>;
  /** Unmounts (lazily if busy), stops the web port and closes the client. Idempotent. */
  close(): Promise<void>;
}

/** Metrics of the reads the binding answers on its own thread are added this often (FastReads.flushMetrics). */
const FAST_METRICS_MS = 1000;
/** The pages read directly are reported to the workers this often (PageReadReports). */
const REPORT_MS = 1000;

/**
 * Mounts the Alluxio namespace at `point` (DESIGN.md §8): cleans a stale mount a dead process
 * left there, opens a client, mounts with fuse-native, and serves /metrics on alluxio.fuse.web.port.
 */
export async function mountFuse(conf: AlluxioConfiguration, pointArg: string, given: string[], log: Logger): Promise<FuseMount> {
  const point = resolve(pointArg);
  const opts = mountOptions(conf.getList('alluxio.fuse.mount.options'), given);
  const cleaned = await cleanStaleMount(point);
  if (cleaned) log.warn({ point, was: cleaned }, 'cleaned a stale mount left by a process that died');
  await mkdir(point, { recursive: true });

  startProcessMetrics('fuse');
  metrics.versionInfo.set({ version: VERSION, component: 'fuse' }, 1);
  const client = await createClient(conf, { log });
  const callTimeoutMs = conf.getDuration('alluxio.fuse.call.timeout');
  const gauge = (kind: string) => (used: number) => metrics.fuseBufferedBytes.set({ kind }, used);
  const binding = loadFuseBinding(log);
  const direct = conf.getBool('alluxio.fuse.direct.page.read.enabled')
    ? DirectPages.existing(conf.getList('alluxio.worker.page.store.dirs'), conf.getSize('alluxio.worker.page.store.page.size'), conf.getInt('alluxio.worker.page.store.local.store.file.buckets'), (n) => metrics.fuseDirectReadBytes.inc(n))
    : undefined;
  // The pages read directly (JS and C) are reported to the worker, so its evictor sees them used.
  const reports = direct ? client.pageReadReports(log) : undefined;
  if (direct) direct.reads = reports;
  const fast = binding.fast && direct ? new FastReads(binding.fast, direct, reports) : undefined;
  // With the fork, kernel_cache is applied per open (page-cache-groups.ts): libfuse given the
  // option would set keep_cache on every open, and handles of two versions would share pages.
  const kernelCache = opts.list.includes('kernel_cache');
  const libfuseOptions = binding.fast ? opts.list.filter((o) => o !== 'kernel_cache') : opts.list;
  const ops = new FuseOps({
    client,
    cache: new MetadataCache(conf.getInt('alluxio.user.metadata.cache.max.size'), conf.getDuration('alluxio.user.metadata.cache.expiration.time')),
    root: normalizePath(conf.getString('alluxio.fuse.mount.alluxio.path')),
    callTimeoutMs,
    reader: {
      chunkSize: conf.getSize('alluxio.fuse.read.chunk.size'),
      aheadChunks: conf.getInt('alluxio.fuse.read.ahead.chunks'),
      budget: new ByteBudget(conf.getSize('alluxio.fuse.read.buffer.size'), gauge('read')),
    },
    writeBudget: new ByteBudget(conf.getSize('alluxio.fuse.write.buffer.size'), gauge('write')),
    direct,
    fast,
    ...(binding.fast ? { pageCache: { groups: new PageCacheGroups(kernelCache), native: binding.fast } } : {}),
    readOnly: opts.readOnly,
    log,
  });
  // The binding's own timeout is a backstop behind ours.
  const fuse = new binding.Fuse(point, ops.operations(), { timeout: callTimeoutMs + 5000, mkdir: true });
  // The option string built here (fuse-native's own covers only a fixed set of options).
  fuse._fuseOptions = () => '-o' + libfuseOptions.join(',');
  let web: Server | undefined;
  try {
    await new Promise<void>((res, rej) => fuse.mount((err) => (err ? rej(new AlluxioError('ALX_ERR_INTERNAL', `cannot mount ${point} (options ${opts.list.join(',')}): ${err.message}`)) : res())));
    const readAhead = conf.getSize('alluxio.fuse.kernel.read.ahead.size');
    if (readAhead > 0) {
      const m = await mountAt(point);
      const why = await setKernelReadAhead(m?.device ?? '', readAhead);
      if (why) log.warn({ point, err: why }, 'cannot set the kernel read-ahead of the mount (alluxio.fuse.kernel.read.ahead.size): sequential reads stay at the kernel default');
    }
    web = createWebServer(() => ({ component: 'fuse', version: VERSION, mountPoint: point, options: opts.list, openFiles: ops.openFiles, fastReads: binding.fast && fastReadStats(binding.fast) }),
      async () => ((await mountAt(point)) ? undefined : `${point} is not mounted`), webGuard(conf, log));
    // A scrape sees every read the binding answered up to now.
    if (fast) web.prependListener('request', (req: IncomingMessage) => { if (req.url?.startsWith(WEB_ROUTES.metrics)) fast.flushMetrics(); });
    await listen(web, conf.getInt('alluxio.fuse.web.port'));
  } catch (err) {
    await detachMount(point, true).catch(() => {});
    web?.close();
    await client.close().catch(() => {});
    throw err;
  }
  const webPort = (web.address() as AddressInfo).port;
  log.info({ point, options: opts.list, webPort }, 'FUSE mount ready');

  let closing: Promise<void> | undefined;
  let markGone: () => void = () => {};
  const gone = new Promise<void>((r) => { markGone = r; });
  const watch = setInterval(() => {
    mountAt(point).then((m) => { if (!m && !closing) markGone(); }, () => {});
  }, WATCH_MS);
  watch.unref();
  const fastMetrics = fast ? setInterval(() => fast.flushMetrics(), FAST_METRICS_MS) : undefined;
  fastMetrics?.unref();
  const sendReports = (): Promise<void> => {
    fast?.drainTouched();
    return reports!.send();
  };
  const reportTimer = reports ? setInterval(() => void sendReports(), REPORT_MS) : undefined;
  reportTimer?.unref();

  return {
    point, webPort, options: opts.list, gone,
    close() {
      closing ??= (async () => {
        clearInterval(watch);
        clearInterval(fastMetrics);
        clearInterval(reportTimer);
        ops.closeAll();
        // The last reads (closeAll drained the binding's entries), within a bound: the mount is going away.
        if (reports) await Promise.race([sendReports(), new Promise((r) => setTimeout(r, 2000).unref())]);
        if (await mountAt(point)) {
          await detachMount(point, false).catch(() => detachMount(point, true)).catch((err) => log.warn({ err: (err as Error).message }, 'unmount failed'));
        }
        await new Promise<void>((r) => web!.close(() => r()));
        await closeClient(client, log);
      })();
      return closing;
    },
  };
}

async function closeClient(client: AlluxioClient, log: Logger): Promise<void> {
  await Promise.race([client.close(), new Promise((r) => setTimeout(r, 5000).unref())]).catch((err) => log.warn({ err: (err as Error).message }, 'closing the client failed'));
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((res, rej) => {
    server.once('error', (err) => rej(new AlluxioError('ALX_ERR_INVALID_CONF', `alluxio.fuse.web.port ${port}: ${err.message}`)));
    server.listen(port, () => res());
  });
}

/**
 * The web port's guard (POST /api/v1/conf/log): the workers' REST credentials. A FUSE process that
 * cannot read them still mounts; it then refuses level changes instead of allowing them unchecked.
 */
function webGuard(conf: AlluxioConfiguration, log: Logger): RequestGuard | null {
  try {
    return workerRestGuard(conf);
  } catch (err) {
    const why = (err as Error).message;
    log.warn({ err: why }, 'REST credentials unreadable: the web port refuses log level changes');
    return () => new AlluxioError('ALX_ERR_PERMISSION_DENIED', `this FUSE process cannot check credentials (${why}), so it refuses log level changes`);
  }
}
