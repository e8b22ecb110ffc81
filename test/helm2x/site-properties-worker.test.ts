// The alluxio-site.properties the chart renders for a 2.x tiered-store + short-circuit config.yaml
// (seed 000's "memory and SSD" block, shortCircuit hostPath/uuid as the seed shows) starts a real
// worker process that serves reads: from the tiered store (MEM over SSD) and over its domain socket.
// Only what a pod gets from Kubernetes is replaced: the paths of its volumes (the tier directories,
// /opt/domain, the identity directory) become temp dirs, and membership/mounts are STATIC here
// instead of the chart's etcd (ports: free ones).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { scrapeMetric } from '../support/cli.js';
import { waitFor } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startWorkerChild, type WorkerChild } from '../support/worker-child.js';
import { loadConfiguration } from '../../src/conf/index.js';
import { pageStoreFromConf } from '../../src/worker/page-store-from-conf.js';
import { renderObjects } from './support/chart.js';
import { seedValues } from './support/fixtures.js';

let tmp: TempDir;
let worker: WorkerChild | undefined;
let sockets: string;
const body = randomBytes(5 * 65_536 + 123);

/** The rendered properties, with every path a volume provides moved under `dir`. */
function renderedSite(dir: string, values: Record<string, unknown>): Record<string, string> {
  const cm = renderObjects(values).find((o) => o.object.kind === 'ConfigMap')!.object;
  const text = cm.data['alluxio-site.properties'] as string;
  const props = Object.fromEntries(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const volume = (p: string) => { const d = join(dir, 'volumes', p.replace(/\//g, '_')); mkdirSync(d, { recursive: true }); return d; };
  for (const k of Object.keys(props)) if (/^alluxio\.worker\.tieredstore\.level\d\.dirs\.path$/.test(k)) props[k] = props[k]!.split(',').map(volume).join(',');
  const socket = props['alluxio.worker.data.server.domain.socket.address'];
  if (socket) props['alluxio.worker.data.server.domain.socket.address'] = volume(socket);
  props['alluxio.worker.identity.uuid.file.path'] = join(volume('/mnt/alluxio/system-info'), 'worker_identity');
  // Cluster wiring that Kubernetes provides (etcd Service, pod ports): the test harness's own.
  for (const k of ['alluxio.etcd.endpoints', 'alluxio.worker.membership.manager.type', 'alluxio.mount.table.source', 'alluxio.coordinator.hostname',
    'alluxio.worker.http.server.port', 'alluxio.worker.rest.port', 'alluxio.worker.web.port']) delete props[k];
  return props;
}

before(async () => {
  tmp = await makeTempDir('alluxio-helm2x-site-');
  const ufs = join(tmp.path, 'ufs');
  mkdirSync(ufs);
  writeFileSync(join(ufs, 'data.bin'), body);
  const base = seedValues().find((s) => s.file === 'seed000-13.yaml')!.values;
  const props = renderedSite(tmp.path, { ...base, shortCircuit: seedValues().find((s) => s.file === 'seed000-21.yaml')!.values.shortCircuit });
  assert.equal(props['alluxio.worker.tieredstore.levels'], '2');
  assert.equal(props['alluxio.worker.data.server.domain.socket.as.uuid'], 'true');
  sockets = props['alluxio.worker.data.server.domain.socket.address']!;
  // The rendered page size (4MB) stays; the small page store sizes of startWorkerChild are replaced by the tiers.
  worker = await startWorkerChild({ dir: tmp.path, ufs, pagestore: join(tmp.path, 'unused-pagestore'), properties: { ...props, 'alluxio.worker.page.store.page.size': '64KB' } });
});

after(async () => {
  await worker?.stop();
  await tmp?.cleanup();
});

function getOverSocket(socketPath: string, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path, headers: { host: 'worker' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`))));
    }).on('error', reject).end();
  });
}

test('the worker started from the chart\'s properties serves reads from its tiers, and over its domain socket', async () => {
  const read = async () => {
    const res = await fetch(`${worker!.rest}/v1/read?path=/data.bin`);
    assert.equal(res.status, 200);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(body));
  };
  // Pages land in the lowest level (SSD); reads hit them there until they are promoted to MEM.
  await waitFor('pages promoted to MEM', async () => {
    await read();
    return await scrapeMetric(`${worker!.web}/metrics`, 'alluxio_cached_tier_promotions_total', { tier: 'MEM' }) > 0;
  }, 30_000);
  assert.ok(await scrapeMetric(`${worker!.web}/metrics`, 'alluxio_cached_tier_page_hits_total', { tier: 'SSD' }) > 0);
  await read();
  assert.ok(await scrapeMetric(`${worker!.web}/metrics`, 'alluxio_cached_tier_page_hits_total', { tier: 'MEM' }) > 0);
  // A page file was written in the SSD level's directory (a temp dir standing in for /ssd-disk).
  const ssd = join(tmp.path, 'volumes', '_ssd-disk');
  assert.ok(readdirSync(ssd, { recursive: true }).length > 0);
  // as.uuid: the socket is <dir>/<worker id>.sock; a read through it returns the same bytes.
  const sock = await waitFor('domain socket', () => readdirSync(sockets).find((f) => f.endsWith('.sock')));
  const viaSocket = await getOverSocket(join(sockets, sock), '/v1/read?path=/data.bin');
  assert.ok(viaSocket.equals(body));
});

test('every seed block\'s rendered properties load, and its tiered store opens (quotas such as 1GB,10GB parse)', async () => {
  const warnings: string[] = [];
  for (const s of seedValues()) {
    const dir = join(tmp.path, 'seeds', s.file);
    const props = renderedSite(dir, s.values);
    mkdirSync(join(dir, 'conf'), { recursive: true });
    writeFileSync(join(dir, 'conf', 'alluxio-site.properties'), Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    const conf = loadConfiguration({ env: { ALLUXIO_CONF_DIR: join(dir, 'conf') }, onWarning: (w: unknown) => warnings.push(`${s.file}: ${String(w)}`) });
    const store = pageStoreFromConf(conf);
    await store.close();
  }
  // 2.x keys the processes do not use are reported by name (alluxio.master.metastore of the metastore examples).
  assert.ok(warnings.some((w) => w.includes('alluxio.master.metastore')), warnings.join('\n'));
});
