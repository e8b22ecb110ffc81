// `alluxio operator` as a process: without a reachable API server it must exit non-zero with the
// reason (it used to log "operator started" and exit 0); with one it serves /healthz and /readyz.
// There is no API server on these machines: the unreachable cases use a closed local port and
// an empty HOME; the probes use the in-memory API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOperator } from '../../src/operator/operator.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { newApi } from './support/sim.js';

const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}" } }]
users: [{ name: u, user: { token: "t" } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;

test('an unreachable API server: `alluxio operator` exits non-zero naming the server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alx-op-'));
  const port = await freePort();
  writeFileSync(join(dir, 'kubeconfig'), kubeconfig(`http://127.0.0.1:${port}`));
  const r = await runCli(['operator'], { KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir, KUBERNETES_SERVICE_HOST: undefined });
  assert.notEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, new RegExp(`cannot reach the Kubernetes API server http://127.0.0.1:${port}`));
  assert.doesNotMatch(r.stdout + r.stderr, /operator started/);
});

test('no kubeconfig at all: exits non-zero with the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alx-op-'));
  const r = await runCli(['operator'], { KUBECONFIG: undefined, HOME: dir, KUBERNETES_SERVICE_HOST: undefined, KUBERNETES_SERVICE_PORT: undefined });
  assert.notEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /cannot reach the Kubernetes API server/);
  assert.doesNotMatch(r.stdout + r.stderr, /operator started/);
});

test('/healthz and /readyz answer once the operator reconciles', async (t) => {
  const { api, clock } = newApi();
  const op = await runOperator({ api, clock, healthPort: 0, onFatal: (e) => assert.fail(e) });
  t.after(() => op.stop());
  const get = async (p: string) => { const r = await fetch(`http://127.0.0.1:${op.healthPort}${p}`); return { status: r.status, text: await r.text() }; };
  assert.equal((await get('/healthz')).status, 200);
  assert.deepEqual(await get('/readyz'), { status: 200, text: 'reconciling\n' });
});
