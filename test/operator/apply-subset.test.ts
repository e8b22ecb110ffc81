// The "nothing to apply" test of applyIfChanged (isSubset) against what a real API server does with
// keyed lists under server-side apply: it merges them item by item, so another field manager's
// items (an injected sidecar, an extra env var, a mount) sit beside ours. Our items must still be
// found by their merge key (changed or missing ones must not), so a settled object with a sidecar
// is not re-applied on every reconcile, and a change to our own item still is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSubset } from '../../src/operator/controllers/apply.js';

const ours = {
  spec: {
    containers: [{ name: 'worker', image: 'alluxio-ts:1', env: [{ name: 'A', value: '1' }], ports: [{ name: 'http', containerPort: 28080 }],
      volumeMounts: [{ name: 'conf', mountPath: '/opt/conf' }, { name: 'conf', mountPath: '/opt/conf2', subPath: 'x' }] }],
    args: ['--a', '--b'],
  },
};

test('a sidecar, env var, port and mount added by another manager leave our keyed items a subset', () => {
  const live = structuredClone(ours) as typeof ours & Record<string, unknown>;
  live.spec.containers.unshift({ name: 'istio-proxy', image: 'proxy', env: [], ports: [{ name: 'p', containerPort: 15090 }], volumeMounts: [] });
  const w = live.spec.containers[1]!;
  w.env.unshift({ name: 'INJECTED', value: 'x' });
  w.ports.push({ name: 'metrics', containerPort: 15020 });
  w.volumeMounts.push({ name: 'istio', mountPath: '/etc/istio' });
  (w as Record<string, unknown>).imagePullPolicy = 'IfNotPresent'; // a server default
  assert.equal(isSubset(ours, live), true);
});

test('our own item changed or missing is not a subset', () => {
  const changed = structuredClone(ours);
  changed.spec.containers[0]!.image = 'alluxio-ts:2';
  assert.equal(isSubset(ours, changed), false, 'changed image');
  const env = structuredClone(ours);
  env.spec.containers[0]!.env[0]!.value = '2';
  assert.equal(isSubset(ours, env), false, 'changed env value');
  const gone = structuredClone(ours);
  gone.spec.containers[0]!.volumeMounts.pop();
  assert.equal(isSubset(ours, gone), false, 'the second mount of the same volume (keyed by mountPath) is missing');
  const port = structuredClone(ours);
  port.spec.containers[0]!.ports[0]!.containerPort = 28081;
  assert.equal(isSubset(ours, port), false, 'changed port');
});

test('unkeyed lists (args) still compare element-wise and by length', () => {
  assert.equal(isSubset(ours, { spec: { ...structuredClone(ours.spec), args: ['--a', '--b', '--c'] } }), false);
  assert.equal(isSubset(ours, { spec: { ...structuredClone(ours.spec), args: ['--b', '--a'] } }), false);
});
