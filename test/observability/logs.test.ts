// Logs people can read, and their level changed at run time: real worker and coordinator processes
// on a real etcd, the `alluxio` CLI (conf log, logLevel) and the web ports' /api/v1/conf/log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTextLine } from '../../src/common/logging.js';
import { runCli } from '../support/cli.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, WorkerProcess, writeEtcdConf, type EtcdClusterConf } from '../cluster/harness.js';

interface Levels { loggers: { name: string; level: string }[] }

test('a TEXT line has local time, the level name, the component, the message and the fields', () => {
  const t = new Date(2026, 0, 2, 3, 4, 5, 6).getTime(); // local time
  const line = formatTextLine({ level: 40, time: t, pid: 1, hostname: 'h', name: 'worker', msg: 'slow UFS', op: 'openRead', ms: 12, path: '/a b' });
  assert.equal(line, '2026-01-02 03:04:05.006 WARN  worker: slow UFS op=openRead ms=12 path="/a b"\n');
  assert.match(formatTextLine({ level: 50, time: t, name: 'fuse', msg: 'x', err: { message: 'boom', stack: 's' } }), / ERROR fuse: x err="boom"\n$/);
});

describe('log format and level at run time', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let text: WorkerProcess;
  let json: WorkerProcess;
  let coord: CoordinatorProcess;
  const cli = (...args: string[]) => runCli(args, cc.env);
  const levels = async (web: number) => (await (await fetch(`http://127.0.0.1:${web}/api/v1/conf/log`)).json() as Levels).loggers;

  before(async () => {
    tmp = await makeTempDir('alluxio-logs-');
    etcd = await startEtcd();
    const coordPort = await freePort();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.coordinator.web.port': String(coordPort), 'alluxio.master.mount.table.root.ufs': `file://${tmp.path}/` });
    text = new WorkerProcess(cc, tmp.path, 0, { http: await freePort(), s3: await freePort(), web: await freePort() }, { 'alluxio.logger.format': 'TEXT' });
    text.logLevel = 'info';
    json = new WorkerProcess(cc, tmp.path, 1, { http: await freePort(), s3: await freePort(), web: await freePort() });
    json.logLevel = 'info';
    await Promise.all([text.start(), json.start()]);
    coord = await CoordinatorProcess.start(cc, coordPort);
  });

  after(async () => {
    await coord?.kill();
    await text?.kill();
    await json?.kill();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('TEXT when alluxio.logger.format says so; JSON by default when stdout is not a terminal', async () => {
    await waitFor('TEXT start line', () => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO  worker: worker started .*rest=\d+/m.test(text.logs()), 30_000);
    assert.doesNotMatch(text.logs(), /^\{"level"/m);
    await waitFor('JSON start line', () => json.logs().split('\n').some((l) => l.startsWith('{') && (JSON.parse(l) as { msg?: string }).msg === 'worker started'), 30_000);
  });

  test('GET/POST /api/v1/conf/log and `alluxio conf log` change a running worker\'s level', async () => {
    assert.deepEqual((await levels(text.ports.web)).find((l) => l.name === 'worker'), { name: 'worker', level: 'info' });
    const r = await cli('conf', 'log', '--target', `127.0.0.1:${text.ports.web}`, '--name', 'worker', '--level', 'debug');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`127\\.0\\.0\\.1:${text.ports.web}\\s+worker\\s+debug`));
    assert.equal((await levels(text.ports.web)).find((l) => l.name === 'worker')?.level, 'debug');
    // Without --level it only prints.
    const show = await cli('conf', 'log', '--target', `127.0.0.1:${text.ports.web}`, '--json');
    assert.equal(show.code, 0, show.stderr);
    assert.ok((JSON.parse(show.stdout) as { name: string; level: string }[]).some((l) => l.name === 'worker' && l.level === 'debug'));
  });

  test('`alluxio logLevel` (2.x) reaches every live worker and the coordinator', async () => {
    const r = await cli('logLevel', '--logName', 'worker', '--target', 'workers', '--level', 'WARN');
    assert.equal(r.code, 0, r.stderr);
    for (const w of [text, json]) assert.equal((await levels(w.ports.web)).find((l) => l.name === 'worker')?.level, 'warn');
    const c = await cli('logLevel', '--target', 'coordinator', '--level', 'debug', '--json');
    assert.equal(c.code, 0, c.stderr);
    assert.ok((JSON.parse(c.stdout) as { name: string; level: string }[]).every((l) => l.level === 'debug'));
    assert.equal((await (await fetch(`${coord.url}/api/v1/conf/log?name=coordinator`)).json() as Levels).loggers[0]?.level, 'debug');
  });

  test('bad input is refused with the reason and changes nothing', async () => {
    const before = await levels(json.ports.web);
    const bad = await fetch(`http://127.0.0.1:${json.ports.web}/api/v1/conf/log?level=loud`, { method: 'POST' });
    assert.equal(bad.status, 400);
    assert.match((await bad.json() as { message: string }).message, /unknown log level 'loud'.*debug/);
    const unknown = await fetch(`http://127.0.0.1:${json.ports.web}/api/v1/conf/log?level=debug&name=nope`, { method: 'POST' });
    assert.equal(unknown.status, 404);
    assert.match((await unknown.json() as { message: string }).message, /no logger named 'nope'/);
    assert.deepEqual(await levels(json.ports.web), before);
    const badTarget = await cli('conf', 'log', '--target', 'nowhere');
    assert.notEqual(badTarget.code, 0);
    assert.match(badTarget.stderr, /bad --target 'nowhere'/);
  });
});

describe('changing the level is a mutating call: it needs credentials when REST authentication is on', { timeout: 600_000 }, () => {
  const TOKEN = 'log-level-test-token-0123456789';
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let worker: WorkerProcess;
  let coord: CoordinatorProcess;

  before(async () => {
    tmp = await makeTempDir('alluxio-logs-auth-');
    etcd = await startEtcd();
    const creds = join(tmp.path, 'credentials');
    writeFileSync(creds, `token cli ${TOKEN}\n`, { mode: 0o600 });
    const tokenFile = join(tmp.path, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const coordPort = await freePort();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.coordinator.web.port': String(coordPort), 'alluxio.master.mount.table.root.ufs': `file://${tmp.path}/`,
      'alluxio.worker.s3.auth.enabled': 'true', 'alluxio.worker.s3.auth.credentials.file': creds, 'alluxio.user.auth.token.file': tokenFile,
    });
    worker = await WorkerProcess.start(cc, tmp.path, 0);
    coord = await CoordinatorProcess.start(cc, coordPort);
  });

  after(async () => {
    await coord?.kill();
    await worker?.kill();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('anonymous POSTs are refused (401) on the worker and coordinator web ports; reading stays open; the CLI sends the token', async () => {
    for (const base of [`http://127.0.0.1:${worker.ports.web}`, coord.url]) {
      const refused = await fetch(`${base}/api/v1/conf/log?level=trace`, { method: 'POST' });
      assert.equal(refused.status, 401, base);
      assert.equal((await refused.json() as { code: string }).code, 'ALX_ERR_UNAUTHENTICATED');
      const read = await fetch(`${base}/api/v1/conf/log`);
      assert.equal(read.status, 200, base);
      assert.ok((await read.json() as Levels).loggers.every((l) => l.level !== 'trace'), `${base}: an anonymous POST changed the level`);
    }
    const r = await runCli(['conf', 'log', '--target', 'workers,coordinator', '--level', 'error', '--json'], cc.env);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { target: string; name: string; level: string }[];
    assert.ok(rows.length >= 2 && rows.every((l) => l.level === 'error'), r.stdout);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(TOKEN));
  });
});
