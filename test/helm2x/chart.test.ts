// deploy/helm/alluxio renders every values block of the 2.x seed guides (000-002) to objects the
// Kubernetes schemas accept; values.schema.json takes them and names a mistyped key; NOTES.txt lists
// what is ignored; the chart's ports are the property registry's defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { findProperty, type PropertyName } from '../../src/conf/property-keys.js';
import { validateK8s } from '../operator/support/k8s-schema.js';
import { CHART_DIR, chartValues, mergeValues, renderNotes, renderObjects } from './support/chart.js';
import { seedValues } from './support/fixtures.js';

const schema = () => new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')));
const site = (values: Record<string, unknown>) => {
  const cm = renderObjects(values).find((o) => o.object.kind === 'ConfigMap')!.object;
  return Object.fromEntries((cm.data['alluxio-site.properties'] as string).split('\n').filter((l) => l && !l.startsWith('#'))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) as Record<string, string>;
};

test('every seed values block renders to objects that pass the Kubernetes schemas', async () => {
  const seeds = seedValues();
  assert.ok(seeds.length >= 25, `${seeds.length} fixtures`);
  for (const s of seeds) {
    const objs = renderObjects(s.values);
    const kinds = objs.map((o) => `${o.object.kind}/${o.object.metadata.name}`);
    for (const k of ['ConfigMap/alluxio-config', 'StatefulSet/alluxio-master', 'StatefulSet/alluxio-etcd', 'DaemonSet/alluxio-worker']) {
      assert.ok(kinds.includes(k), `${s.file}: ${k} missing from ${kinds.join(', ')}`);
    }
    for (const o of objs) await validateK8s(o.object).catch((e: Error) => assert.fail(`${s.file} ${o.template}: ${e.message}`));
  }
});

test('seed values land on their 3.x counterparts', () => {
  const byFile = Object.fromEntries(seedValues().map((s) => [s.file, s.values]));
  // master.count 3 (embedded journal) -> 3 coordinators and 3 etcd members on PVCs of journal.size.
  const multi = renderObjects(byFile['seed000-06.yaml']!);
  const sts = (n: string) => multi.find((o) => o.object.kind === 'StatefulSet' && o.object.metadata.name === n)!.object;
  assert.equal(sts('alluxio-master').spec.replicas, 3);
  assert.equal(sts('alluxio-etcd').spec.replicas, 3);
  assert.deepEqual(sts('alluxio-etcd').spec.volumeClaimTemplates[0].spec, { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '1Gi' } } });
  const initial = sts('alluxio-etcd').spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'INITIAL_CLUSTER').value as string;
  assert.equal(initial.split(',').length, 3);
  // journal.volumeType emptyDir -> etcd data on an emptyDir of journal.size.
  const empty = renderObjects(byFile['seed000-04.yaml']!).find((o) => o.object.metadata.name === 'alluxio-etcd' && o.object.kind === 'StatefulSet')!.object;
  assert.equal(empty.spec.volumeClaimTemplates, undefined);
  assert.deepEqual(empty.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'data'), { name: 'data', emptyDir: { sizeLimit: '1Gi' } });
  // Two tiers on hostPath: properties per level, volumes per directory.
  const tiers = site(byFile['seed000-13.yaml']!);
  assert.equal(tiers['alluxio.worker.tieredstore.levels'], '2');
  assert.equal(tiers['alluxio.worker.tieredstore.level0.alias'], 'MEM');
  assert.equal(tiers['alluxio.worker.tieredstore.level1.alias'], 'SSD');
  assert.equal(tiers['alluxio.worker.tieredstore.level1.dirs.path'], '/ssd-disk');
  assert.equal(tiers['alluxio.worker.tieredstore.level1.watermark.high.ratio'], '0.95');
  const worker = renderObjects(byFile['seed000-13.yaml']!).find((o) => o.object.kind === 'DaemonSet' && o.object.metadata.name === 'alluxio-worker')!.object;
  const vols = worker.spec.template.spec.volumes as { name: string; hostPath?: { path: string } }[];
  assert.equal(vols.find((v) => v.name === 'tier1-0')!.hostPath!.path, '/ssd-disk');
  // One level of two media on PVCs: a claim per directory, sized by its quota.
  const pvcs = renderObjects(byFile['seed000-15.yaml']!).filter((o) => o.object.kind === 'PersistentVolumeClaim').map((o) => [o.object.metadata.name, o.object.spec.resources.requests.storage]);
  assert.deepEqual(pvcs, [['alluxio-mem', '1G'], ['alluxio-ssd', '10G']]);
  // MEM emptyDir -> tmpfs.
  const mem = renderObjects(byFile['seed000-12.yaml']!).find((o) => o.object.kind === 'DaemonSet')!.object;
  assert.deepEqual(mem.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'tier0-0').emptyDir, { medium: 'Memory', sizeLimit: '1Gi' });
  // shortCircuit: hostPath volume at /opt/domain and the uuid socket; disabled -> the client switch off.
  const sc = site(byFile['seed000-21.yaml']!);
  assert.equal(sc['alluxio.worker.data.server.domain.socket.address'], '/opt/domain');
  assert.equal(sc['alluxio.worker.data.server.domain.socket.as.uuid'], 'true');
  assert.equal(site(byFile['seed000-18.yaml']!)['alluxio.user.short.circuit.enabled'], 'false');
  assert.equal(site(byFile['seed000-19.yaml']!)['alluxio.worker.data.server.domain.socket.as.uuid'], 'false');
  assert.ok(renderObjects(byFile['seed000-20.yaml']!).some((o) => o.object.kind === 'PersistentVolumeClaim' && o.object.metadata.name === 'alluxio-worker-domain-socket'));
  // secrets.master|worker mounted at /secrets/<dir> as 2.x does.
  const hdfs = renderObjects(byFile['seed002-03.yaml']!);
  for (const name of ['alluxio-master', 'alluxio-worker']) {
    const pod = hdfs.find((o) => o.object.metadata.name === name && o.object.kind !== 'Service')!.object.spec.template.spec;
    assert.ok(pod.containers[0].volumeMounts.some((m: { mountPath: string }) => m.mountPath === '/secrets/hdfsConfig'), name);
    assert.ok(pod.volumes.some((v: { secret?: { secretName: string } }) => v.secret?.secretName === 'alluxio-hdfs-config'), name);
  }
  const s3 = site(byFile['seed000-02.yaml']!);
  assert.equal(s3['aws.accessKeyId'], '<accessKey>');
  assert.equal(s3['alluxio.master.mount.table.root.option.aws.accessKeyId'], undefined);
  assert.equal(site(byFile['seed000-08.yaml']!)['alluxio.underfs.hdfs.configuration'], '/secrets/hdfsConfig/core-site.xml:/secrets/hdfsConfig/hdfs-site.xml');
  assert.equal(site(byFile['seed002-03.yaml']!)['alluxio.underfs.hdfs.configuration'], '/secrets/hdfsConfig/core-site.xml:/secrets/hdfsConfig/hdfs-site.xml');
  // 2.x per-component properties: -D options of that component's pods only.
  const perPod = renderObjects({ worker: { properties: { 'alluxio.worker.tieredstore.promote.after.hits': 3 } }, master: { properties: { 'alluxio.job.batch.size': 100 } } });
  const javaOpts = (name: string) => perPod.find((o) => o.object.metadata.name === name && o.object.kind !== 'Service')!.object.spec.template.spec.containers[0].env
    .find((e: { name: string }) => e.name === 'ALLUXIO_JAVA_OPTS')?.value;
  assert.equal(javaOpts('alluxio-worker'), "-Dalluxio.worker.hostname=$(POD_IP) -Dalluxio.worker.tieredstore.promote.after.hits='3'");
  assert.equal(javaOpts('alluxio-master'), "-Dalluxio.job.batch.size='100'");
  // fuse.enabled / clientEnabled -> the FUSE DaemonSet and the client DaemonSet.
  const fuse = renderObjects(byFile['seed000-17.yaml']!).map((o) => o.object.metadata.name);
  assert.ok(fuse.includes('alluxio-fuse') && fuse.includes('alluxio-fuse-client'), fuse.join(', '));
});

test('values.schema.json accepts values.yaml and every seed block, and names a mistyped or unknown key', () => {
  const check = schema();
  assert.ok(check(chartValues()), JSON.stringify(check.errors));
  for (const s of seedValues()) assert.ok(check(chartValues(s.values)), `${s.file}: ${JSON.stringify(check.errors)}`);
  const bad: [Record<string, unknown>, string][] = [
    [{ master: { count: 'three' } }, '/master/count'],
    [{ journal: { type: 'ROCKS' } }, '/journal/type'],
    [{ tieredstore: { levels: [{ level: 0, mediumtype: 'RAM', path: '/dev/shm', type: 'emptyDir' }] } }, '/tieredstore/levels/0/mediumtype'],
    [{ tieredstore: { levels: [{ level: 0, mediumtype: 'MEM', path: '/dev/shm', type: 'emptyDir', high: '95%' }] } }, '/tieredstore/levels/0/high'],
    [{ tieredstore: { levels: [{ level: 0, mediumtype: 'MEM', path: '/dev/shm', type: 'emptyDir', quota: '1 gig' }] } }, '/tieredstore/levels/0/quota'],
    [{ shortCircuit: { enabled: 'yes' } }, '/shortCircuit/enabled'],
    [{ shortCircuit: { volumeType: 'emptyDir' } }, '/shortCircuit/volumeType'],
    [{ fuse: { enabled: 1 } }, '/fuse/enabled'],
    [{ secrets: { master: { 'alluxio-hdfs-config': 3 } } }, '/secrets/master/alluxio-hdfs-config'],
    [{ journal: { formatt: true } }, 'formatt'],
  ];
  for (const [over, where] of bad) {
    assert.equal(check(mergeValues(chartValues(), over)), false, JSON.stringify(over));
    assert.ok(JSON.stringify(check.errors).includes(where), `${where}: ${JSON.stringify(check.errors)}`);
  }
});

test('NOTES.txt lists the 2.x values that mean nothing here as ignored, and what the others became', () => {
  const byFile = Object.fromEntries(seedValues().map((s) => [s.file, s.values]));
  const meta = renderNotes(byFile['seed000-09.yaml']!);
  assert.match(meta, /Ignored/);
  assert.match(meta, /metastore: no metastore/);
  assert.match(meta, /properties alluxio\.master\.metastore: a 2\.x master property/);
  assert.doesNotMatch(meta, /alluxio\.master\.mount\.table\.root\.ufs/);
  const journal = renderNotes(byFile['seed000-05.yaml']!);
  assert.match(journal, /journal\.folder=hdfs:\/\/\{\$hostname\}:\{\$hostport\}\/journal: no journal/);
  assert.match(journal, /journal\.ufsType=HDFS: no journal/);
  assert.match(renderNotes({ journal: { format: { runFormat: true } } }), /journal\.format\.runFormat=true: a no-op/);
  assert.match(renderNotes(byFile['seed002-05.yaml']!), /volumes: 2\.x master volumes/);
  assert.match(renderNotes({ logserver: { enabled: true } }), /logserver: not a value of this chart/);
  assert.match(renderNotes(byFile['seed000-06.yaml']!), /alluxio-master-0 \.\. \(3\).*port-forward alluxio-master-0 19999:19999/);
  assert.doesNotMatch(renderNotes({}), /runFormat/);
  const args = renderNotes({ master: { args: ['master-only', '--no-format'] }, fuse: { args: ['fuse', '--fuse-opts=allow_other'] } });
  assert.match(args, /master\.args: not used/);
  assert.match(args, /fuse\.args: not used .*fuse\.mountOptions/);
  // Root mount options become the root mount's properties; credentials in the ConfigMap are pointed out.
  const s3 = renderNotes(byFile['seed000-02.yaml']!);
  assert.match(s3, /alluxio\.master\.mount\.table\.root\.option\.aws\.secretKey: written as aws\.secretKey/);
  assert.match(s3, /aws\.secretKey is stored in plain text in the ConfigMap alluxio-config/);
  assert.doesNotMatch(s3, /<secretKey>/);
});

test('the chart\'s ports are the property registry\'s defaults', () => {
  const v = chartValues() as Record<string, Record<string, Record<string, number>>>;
  const def = (k: PropertyName) => Number(findProperty(k)!.default);
  const pairs: [number, PropertyName][] = [
    [v.master!.ports!.rpc!, 'alluxio.coordinator.rpc.port'],
    [v.master!.ports!.web!, 'alluxio.coordinator.web.port'],
    [v.worker!.ports!.http!, 'alluxio.worker.http.server.port'],
    [v.worker!.ports!.s3!, 'alluxio.worker.rest.port'],
    [v.worker!.ports!.rpc!, 'alluxio.worker.rpc.port'],
    [v.worker!.ports!.data!, 'alluxio.worker.data.port'],
    [v.worker!.ports!.web!, 'alluxio.worker.web.port'],
  ];
  for (const [port, key] of pairs) assert.equal(port, def(key), key);
  // The FUSE pod's web port is written in the template: it must be alluxio.fuse.web.port's default.
  const fuse = renderObjects({ fuse: { enabled: true } }).find((o) => o.object.metadata.name === 'alluxio-fuse')!.object;
  assert.equal(fuse.spec.template.spec.containers[0].ports[0].containerPort, def('alluxio.fuse.web.port'));
  // Every property key the chart writes is declared in the registry.
  for (const k of Object.keys(site(mergeValues({ security: { enabled: true } }, {})))) assert.ok(findProperty(k), k);
  for (const k of Object.keys(site({ tieredstore: { levels: [] } }))) assert.ok(findProperty(k), k);
});
