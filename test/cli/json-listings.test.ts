// Issue 17: every verb that lists takes --json. Walks every command the CLI defines: each one takes
// --json unless it is named below as a verb that prints no listing (it streams data, changes
// something, or writes a file or manifests), so a new listing verb without --json fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullProgram, leafCommands } from '../../src/cli/cli-reference.js';
import { commandPath } from '../../src/cli/examples.js';

const NOT_LISTINGS = new Set([
  'fs cat', 'fs head', 'fs tail', // file bytes on stdout
  'fs cp', 'fs mv', 'fs rm', 'fs mkdir', 'fs touch', 'mount add', 'mount remove', // change the namespace
  'fs test', // exit status only, like test(1)
  'fuse mount', 'fuse unmount', 'operator', 'process start', 'process stop',
  'local start', 'local stop', 'local restart', // start or stop processes
  'collectinfo', // writes a tarball
  'k8s render', // prints Kubernetes manifests (YAML)
  'fs unmount', 'fs copyFromLocal', 'fs copyToLocal', // 2.x spellings of mount remove and fs cp
  'format', 'formatJournal', 'formatMasters', 'formatWorker', // 2.x no-ops that say why
]);

test('every verb that lists takes --json', { timeout: 120_000 }, async () => {
  const leaves = leafCommands(await fullProgram());
  const paths = new Set(leaves.map(commandPath));
  const missing = leaves.filter((c) => !NOT_LISTINGS.has(commandPath(c)) && !c.options.some((o) => o.long === '--json')).map(commandPath);
  assert.deepEqual(missing, [], `listing verbs without --json: ${missing.join(', ')} (add --json, or name the verb in NOT_LISTINGS when it lists nothing)`);
  for (const p of NOT_LISTINGS) assert.ok(paths.has(p), `NOT_LISTINGS names '${p}', which is not a command`);
});
