// The FUSE DaemonSet on a real node (issue 12, Kubernetes): Bidirectional propagation, the mount
// point a subdirectory of the hostPath, and the start, preStop and liveness commands run here for
// real against a real FUSE mount (rclone, Debian) that is healthy, stale (kill -9) or hung (SIGSTOP).
// `alluxio` itself is a stub on PATH that records its arguments: the commands around it are tested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/operator/kube/types.js';
import { renderCluster } from '../../src/operator/render.js';
import { validateK8s } from './support/k8s-schema.js';

const CR = (hostPath: string) => `apiVersion: k8s-operator.alluxio.com/v1\nkind: AlluxioCluster\nmetadata: {name: x, namespace: ns}\n`
  + `spec: {fuse: {type: daemonSet, hostPathForMount: ${hostPath}}}\n`;
type Obj = Record<string, any>;

function fuseContainer(hostPath: string): { ds: KubeObject; ctr: Obj; pod: Obj } {
  const ds = renderCluster(CR(hostPath)).find((o) => o.kind === 'DaemonSet')!;
  const pod = ds.spec.template.spec;
  return { ds, pod, ctr: pod.containers[0] };
}

const canFuse = process.getuid?.() === 0 && existsSync('/dev/fuse') && spawnSync('rclone', ['version']).status === 0;

/** A directory of the node, with a stub `alluxio` on PATH that appends its arguments to calls.log. */
function node(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'alx-fuse-ds-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'alluxio'), `#!/bin/sh\necho "$*" >> ${dir}/calls.log\nexit \${ALLUXIO_STUB_EXIT:-0}\n`);
  chmodSync(join(bin, 'alluxio'), 0o755);
  const mounts: ChildProcess[] = [];
  t.after(() => {
    for (const m of mounts) { try { process.kill(m.pid!, 'SIGCONT'); m.kill('SIGKILL'); } catch { /* gone */ } }
    spawnSync('sh', ['-c', `grep -o " ${dir}[^ ]*" /proc/mounts | xargs -r -n1 umount -l`]);
    rmSync(dir, { recursive: true, force: true });
  });
  const run = (cmd: string[], env: Record<string, string> = {}) =>
    spawnSync(cmd[0]!, cmd.slice(1), { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env }, encoding: 'utf8', timeout: 60_000 });
  /** A real FUSE mount at `point` (rclone serving a local directory). */
  const mountAt = async (point: string): Promise<ChildProcess> => {
    const src = join(dir, 'src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'hello.txt'), 'hello\n');
    mkdirSync(point, { recursive: true });
    const p = spawn('rclone', ['mount', src, point, '--config', '/dev/null'], { stdio: 'ignore' });
    mounts.push(p);
    for (let i = 0; i < 300 && !existsSync(join(point, 'hello.txt')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(join(point, 'hello.txt')), 'rclone mounted');
    return p;
  };
  const calls = () => (existsSync(join(dir, 'calls.log')) ? readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n') : []);
  return { dir, run, mountAt, calls };
}

test('the DaemonSet: Bidirectional on the hostPath, the mount point a subdirectory of it, privileged (the one exempt container), preStop, liveness with a timeout', async () => {
  const { ds, pod, ctr } = fuseContainer('/mnt/alluxio/ns/x/fuse');
  await validateK8s(ds);
  const vol = pod.volumes.find((v: Obj) => v.hostPath?.path === '/mnt/alluxio/ns/x/fuse');
  assert.ok(vol, 'hostPathForMount is a hostPath volume');
  const m = ctr.volumeMounts.find((x: Obj) => x.name === vol.name);
  assert.equal(m.mountPropagation, 'Bidirectional');
  const point = ctr.command.at(-1).match(/fuse' 'mount' '-f' '([^']+)'/)?.[1];
  assert.ok(point, ctr.command.at(-1));
  assert.ok(point.startsWith(`${m.mountPath}/`) && point.length > m.mountPath.length + 1, `${point} is below ${m.mountPath}, not the hostPath itself`);
  assert.equal(ctr.securityContext.privileged, true);
  assert.equal(pod.securityContext.runAsUser, 0);
  assert.deepEqual(ctr.command.slice(0, 2), ['/usr/bin/tini', '--'], 'signals reach alluxio (clean unmount on SIGTERM)');
  assert.match(ctr.lifecycle.preStop.exec.command.join(' '), new RegExp(`alluxio fuse unmount '${point}'`));
  const live = ctr.livenessProbe.exec.command.join(' ');
  assert.ok(live.startsWith('timeout -s KILL 10 ') && live.includes('stat -t') && ctr.livenessProbe.exec.command.at(-1) === point, live);
  assert.ok(ctr.livenessProbe.timeoutSeconds > 10, 'the probe\'s own timeout is above the stat kill');
  assert.ok(ctr.startupProbe, 'startupProbe (hardening)');
  assert.ok(pod.terminationGracePeriodSeconds >= 30, 'time for preStop');
});

test('start: a stale mount (FUSE process kill -9ed) is cleared before `alluxio fuse mount -f <point>` runs', { skip: !canFuse && 'needs root, /dev/fuse and rclone' }, async (t) => {
  const n = node(t);
  const host = join(n.dir, 'host');
  const { ctr } = fuseContainer(host);
  const point = `${host}/alluxio`;
  const fuse = await n.mountAt(point);
  fuse.kill('SIGKILL');
  await new Promise((r) => fuse.once('exit', r));
  assert.match(n.run(['stat', '-t', point]).stderr, /Transport endpoint is not connected/, 'the mount is stale');
  const r = n.run(ctr.command.slice(2)); // sh -c <start>, without tini
  assert.equal(r.status, 0, r.stderr);
  assert.equal(n.run(['stat', '-t', point]).status, 0, 'the point answers again');
  assert.notEqual(n.run(['mountpoint', '-q', point]).status, 0, 'the stale mount is gone');
  assert.deepEqual(n.calls(), [`fuse mount -f ${point} -o allow_other,kernel_cache,entry_timeout=60,attr_timeout=60`]);
});

test('liveness: passes on a live mount, fails on a stale one, and fails (does not hang) on a hung one', { skip: !canFuse && 'needs root, /dev/fuse and rclone' }, async (t) => {
  const n = node(t);
  const host = join(n.dir, 'host');
  const { ctr } = fuseContainer(host);
  const live = ctr.livenessProbe.exec.command as string[];
  const point = `${host}/alluxio`;
  const fuse = await n.mountAt(point);
  assert.equal(n.run(live).status, 0, 'live mount');
  assert.equal(n.run(ctr.readinessProbe.exec.command).status, 0, 'ready: mounted');
  process.kill(fuse.pid!, 'SIGSTOP'); // the FUSE process stops answering
  const hung = n.run(live);
  assert.notEqual(hung.status, 0, 'a hung mount fails the probe');
  assert.equal(hung.error, undefined, 'the probe command ended by itself (stat killed by timeout)');
  process.kill(fuse.pid!, 'SIGCONT');
  fuse.kill('SIGKILL');
  await new Promise((r) => fuse.once('exit', r));
  assert.notEqual(n.run(live).status, 0, 'a stale mount fails the probe');
});

test('preStop: `alluxio fuse unmount <point>`, and a lazy unmount when that fails', { skip: !canFuse && 'needs root, /dev/fuse and rclone' }, async (t) => {
  const n = node(t);
  const host = join(n.dir, 'host');
  const { ctr } = fuseContainer(host);
  const point = `${host}/alluxio`;
  await n.mountAt(point);
  assert.equal(n.run(ctr.lifecycle.preStop.exec.command).status, 0);
  assert.deepEqual(n.calls(), [`fuse unmount ${point}`]);
  assert.equal(n.run(['mountpoint', '-q', point]).status, 0, 'the stub did not unmount');
  assert.equal(n.run(ctr.lifecycle.preStop.exec.command, { ALLUXIO_STUB_EXIT: '1' }).status, 0);
  assert.notEqual(n.run(['mountpoint', '-q', point]).status, 0, 'unmounted by the fallback');
});
