import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/common/logging.js';
import { recentWarnings } from '../../src/common/recent-warnings.js';

test('warn and error records are kept newest first, info is not, and secrets never reach the list', () => {
  const loud = createLogger('recent-warnings-test', 'info');
  const before = recentWarnings().total;
  loud.info({ path: '/a' }, 'an info line');
  loud.warn({ path: '/b', options: { 's3a.secretKey': 'SECRET-1' }, secretKey: 'SECRET-2' }, 'a warning with secrets');
  loud.error(new Error('boom'), 'an error');
  const r = recentWarnings();
  assert.equal(r.total - before, 2);
  const [err, warn] = r.records;
  assert.equal(err!.level, 'error');
  assert.equal(err!.msg, 'an error');
  assert.equal(err!.fields.err, 'boom');
  assert.equal(warn!.level, 'warn');
  assert.equal(warn!.component, 'recent-warnings-test');
  assert.equal(warn!.fields.path, '/b');
  assert.equal(warn!.fields.secretKey, '***');
  assert.ok(!JSON.stringify(r.records).includes('SECRET-'), JSON.stringify(warn));
});
