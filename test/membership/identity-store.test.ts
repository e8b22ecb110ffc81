import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { workerName } from '../../src/hashring/worker-info.js';
import { resolveWorkerIdentity } from '../../src/membership/identity-store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('resolveWorkerIdentity', () => {
  const root = mkdtempSync(join(tmpdir(), 'alluxio-identity-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('generates a UUIDv4, writes it with a comment line (creating parent dirs), and reuses it', () => {
    const file = join(root, 'a', 'b', 'worker_identity');
    const first = resolveWorkerIdentity({ filePath: file });
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines[0], '# Worker identity, do not edit');
    assert.match(lines[1]!, UUID);
    assert.equal(lines[1]!.replace(/-/g, ''), first.identifier);
    assert.equal(first.version, 1);
    assert.equal(workerName(first), `worker-${lines[1]}`);
    // No temp files are left behind.
    assert.deepEqual(readdirSync(join(root, 'a', 'b')), ['worker_identity']);
    // Reused on the next start.
    assert.deepEqual(resolveWorkerIdentity({ filePath: file }), first);
    // Two different files give two different identities.
    assert.notEqual(resolveWorkerIdentity({ filePath: join(root, 'other') }).identifier, first.identifier);
  });

  it('reads the first line not starting with #, ignoring blank lines and surrounding spaces', () => {
    const file = join(root, 'hand-written');
    writeFileSync(file, '# comment\n\n#another\n  0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9  \nnot-read\n');
    assert.deepEqual(resolveWorkerIdentity({ filePath: file }), { version: 1, identifier: '0f1e2d3c4b5a49788695a4b3c2d1e0f9' });
  });

  it('the property wins over the file and does not touch it', () => {
    const file = join(root, 'prop-wins');
    const fromFile = resolveWorkerIdentity({ filePath: file });
    const before = readFileSync(file, 'utf8');
    const id = resolveWorkerIdentity({ uuid: '11111111-2222-4333-8444-555555555555', filePath: file });
    assert.equal(id.identifier, '11111111222243338444555555555555');
    assert.notEqual(id.identifier, fromFile.identifier);
    assert.equal(readFileSync(file, 'utf8'), before);
    // The property alone needs no file.
    assert.equal(resolveWorkerIdentity({ uuid: '11111111-2222-4333-8444-555555555555' }).identifier, id.identifier);
  });

  it('rejects an invalid uuid with an error naming where it came from', () => {
    assert.throws(() => resolveWorkerIdentity({ uuid: 'not-a-uuid' }), (err: Error & { code?: string }) => {
      assert.match(err.message, /alluxio\.worker\.identity\.uuid/);
      assert.match(err.message, /not-a-uuid/);
      assert.match(err.message, /expected a UUID/);
      assert.equal(err.code, 'ALX_ERR_INVALID_CONF');
      return true;
    });
    const file = join(root, 'corrupt');
    writeFileSync(file, '# Worker identity, do not edit\n1234-zzzz\n');
    assert.throws(() => resolveWorkerIdentity({ filePath: file }), new RegExp(`${file.replace(/[/.]/g, '\\$&')}:2: .*1234-zzzz`));
    // A corrupt file is never silently replaced by a new identity.
    assert.match(readFileSync(file, 'utf8'), /1234-zzzz/);
  });

  it('a file with only comments gets a new identity; neither source set is an error', () => {
    const file = join(root, 'empty');
    writeFileSync(file, '# nothing yet\n');
    const id = resolveWorkerIdentity({ filePath: file });
    assert.match(readFileSync(file, 'utf8'), new RegExp(id.identifier.slice(0, 8)));
    assert.throws(() => resolveWorkerIdentity({}), /set alluxio\.worker\.identity\.uuid or alluxio\.worker\.identity\.uuid\.file\.path/);
  });

  it('reports a location that cannot be created, naming the file', () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'x');
    assert.throws(() => resolveWorkerIdentity({ filePath: join(blocker, 'sub', 'id') }), /worker identity file .*a-file\/sub\/id.*(ENOTDIR|EEXIST)/);
  });
});
