// With SigV4 verification on, a request for a key another worker owns is proxied there and the
// owner verifies the client's signature itself: every header the client signed must reach it as
// signed, including the hop-by-hop ones the proxy cannot pass on as they are (Transfer-Encoding of
// a chunked upload). boto3 streams non-seekable bodies chunked; awscli streams stdin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameWorker } from '../../../src/hashring/worker-info.js';
import { ACCESS_KEY, aws, awsEnv, python, run, SECRET_KEY, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

const SCRIPT = fileURLToPath(new URL('./chunked_puts.py', import.meta.url));
const COUNT = 12;

/** Which worker (index) owns bucket/key on the ring. */
function ownerIndex(c: S3TestCluster, key: string): number {
  const w0 = c.cluster.workers[0]!;
  const owner = w0.client.ring.owners(w0.files.resolve(`/bucket/${key}`).ufsUri, 1)[0]!;
  return c.cluster.workers.findIndex((w) => sameWorker(w.info.identity, owner.identity));
}

/**
 * n keys (from make(0), make(1), ...) half owned by each of the two workers: the ring's split
 * depends on the workers' random identities, so fixed names can all land on one worker.
 */
function keysOnBoth(c: S3TestCluster, n: number, make: (i: number) => string): string[] {
  const picked: string[][] = [[], []];
  for (let i = 0; i < 10_000 && picked[0]!.length + picked[1]!.length < n; i++) {
    const k = make(i);
    const side = picked[ownerIndex(c, k)];
    if (side && side.length < Math.ceil(n / 2)) side.push(k);
  }
  const out = [...picked[0]!, ...picked[1]!];
  assert.equal(out.length, n, 'found keys owned by each worker');
  return out.sort();
}

const hmac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
const sha256 = (d: string | Buffer) => createHash('sha256').update(d).digest('hex');

/**
 * A SigV4 PUT signed over every header it sends, hop-by-hop ones included (Expect,
 * Transfer-Encoding: aws-sdk-go v1 and botocore sign them), sent chunked after a 100 Continue:
 * an aws-chunked STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, or a plain body with its SHA-256.
 */
async function signedChunkedPut(endpoint: string, key: string, data: Buffer, streaming: boolean): Promise<{ status: number; body: string }> {
  const u = new URL(endpoint);
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/us-east-1/s3/aws4_request`;
  const signingKey = hmac(hmac(hmac(hmac('AWS4' + SECRET_KEY, day), 'us-east-1'), 's3'), 'aws4_request');
  const headers: Record<string, string> = {
    expect: '100-continue', host: u.host, 'transfer-encoding': 'chunked', 'x-amz-date': amzDate,
    'x-amz-content-sha256': streaming ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' : sha256(data),
  };
  if (streaming) Object.assign(headers, { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length) });
  const names = Object.keys(headers).sort();
  const path = `/bucket/${key}`;
  const creq = `PUT\n${path}\n\n${names.map((n) => `${n}:${headers[n]}\n`).join('')}\n${names.join(';')}\n${headers['x-amz-content-sha256']}`;
  const seed = hmac(signingKey, `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(creq)}`).toString('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/${scope}, SignedHeaders=${names.join(';')}, Signature=${seed}`;
  let body = data;
  if (streaming) {
    const parts: Buffer[] = [];
    let prev = seed;
    for (let off = 0; ; off += 65536) {
      const chunk = data.subarray(off, off + 65536);
      prev = hmac(signingKey, `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${prev}\n${sha256('')}\n${sha256(chunk)}`).toString('hex');
      parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${prev}\r\n`), chunk, Buffer.from('\r\n'));
      if (chunk.length === 0) break;
    }
    body = Buffer.concat(parts);
  }
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: u.hostname, port: Number(u.port), method: 'PUT', path, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    r.on('error', reject);
    r.on('continue', () => {
      // Sent in pieces, so it goes out as several HTTP chunks.
      for (let i = 0; i < body.length; i += 50_000) r.write(body.subarray(i, i + 50_000));
      r.end();
    });
  });
}

describe('signed requests proxied to the owner worker', { timeout: 600_000 }, () => {
  let c: S3TestCluster;

  before(async () => {
    c = await startS3TestCluster({ workers: 2, auth: true });
  });
  after(async () => c?.stop());

  test('boto3 chunked and streamed PUTs land whichever worker owns the key', async () => {
    const keys = Array.from({ length: COUNT }, (_, i) => `fw/k${i}`);
    const owners = keys.map((k) => ownerIndex(c, k));
    assert.ok(owners.includes(0) && owners.includes(1), `keys spread over both workers: ${owners.join(',')}`);
    const r = await python(SCRIPT, [c.endpoints[0]!, 'bucket', 'fw', String(COUNT)], awsEnv(c.tmp.path), 300_000);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    for (const [i, k] of keys.entries()) assert.equal(out[k], 'ok', `${k} (owned by worker ${owners[i]}, mode ${i % 3})`);
  });

  test('PUTs that signed Expect and Transfer-Encoding (aws-chunked and plain) verify on the owner', async () => {
    for (const streaming of [true, false]) {
      const rawKeys = keysOnBoth(c, 6, (i) => `raw/${streaming ? 'streaming' : 'plain'}-${i}`);
      for (const [i, key] of rawKeys.entries()) {
        const data = randomBytes(150_000 + i);
        const r = await signedChunkedPut(c.endpoints[0]!, key, data, streaming);
        assert.equal(r.status, 200, `${key} (owned by worker ${ownerIndex(c, key)}): ${r.body}`);
        assert.ok(readFileSync(join(c.ufsDir, 'bucket', key)).equals(data), key);
      }
      assert.ok(rawKeys.some((k) => ownerIndex(c, k) === 1), 'a key owned by worker 1');
    }
  });

  test('awscli: a recursive copy and a PUT streamed from stdin, sent to one worker', async () => {
    const env = awsEnv(c.tmp.path);
    const src = join(c.tmp.path, 'src');
    await run('/bin/mkdir', ['-p', src]);
    const names = keysOnBoth(c, 8, (i) => `cli/f${i}.txt`).map((k) => k.slice('cli/'.length));
    for (const n of names) await run('/bin/sh', ['-c', `printf 'file %s\\n' ${n} > ${src}/${n}`]);
    const owners = names.map((n) => ownerIndex(c, `cli/${n}`));
    assert.ok(owners.includes(1), `some keys owned by worker 1: ${owners.join(',')}`);
    const cp = await aws(c.endpoints[0]!, env, ['s3', 'cp', '--recursive', src, 's3://bucket/cli/']);
    assert.equal(cp.code, 0, cp.stderr);
    for (const n of names) assert.equal(readFileSync(join(c.ufsDir, 'bucket/cli', n), 'utf8'), `file ${n}\n`);
    const stdinKeys = keysOnBoth(c, 6, (i) => `cli/stdin-${i}`);
    assert.ok(stdinKeys.some((k) => ownerIndex(c, k) === 1), 'a stdin key owned by worker 1');
    for (const k of stdinKeys) {
      const r = await run('/usr/bin/aws', ['--endpoint-url', c.endpoints[0]!, 's3', 'cp', '-', `s3://bucket/${k}`], { env, input: `streamed ${k}\n` });
      assert.equal(r.code, 0, `${k}: ${r.stderr}`);
      assert.equal(readFileSync(join(c.ufsDir, 'bucket', k), 'utf8'), `streamed ${k}\n`);
    }
  });
});
