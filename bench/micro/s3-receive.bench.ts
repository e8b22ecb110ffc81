// CPU spent receiving one S3 object body from s3rver (a separate process), three ways, in one run:
// node's http.get, the AWS SDK's GetObject, and our S3 UFS's openRead (for an http:// path-style
// endpoint with static credentials, the socket-level GetObject of src/ufs/s3-fast-get.ts).
// Prints this process's CPU time (user + system) per MiB for each, best of RUNS.
// Usage: node --import tsx bench/micro/s3-receive.bench.ts [SIZE_MB] [RUNS]
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Ufs } from '../../src/ufs/s3-ufs.js';
import { startS3Server } from '../../test/support/s3-server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const sizeMb = Number(process.argv[2] ?? 256);
const runs = Number(process.argv[3] ?? 3);
const s3 = await startS3Server({ buckets: ['b'] });
const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
const ufs = new S3Ufs('s3://b/', s3.ufsOptions());
try {
  await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'big', Body: randomBytes(sizeMb << 20) }));
  const ways: Record<string, () => Promise<Readable>> = {
    'node http.get': () => new Promise((resolve, reject) => http.get(`${s3.endpoint}/b/big`, resolve).on('error', reject)),
    'AWS SDK GetObject': async () => (await client.send(new GetObjectCommand({ Bucket: 'b', Key: 'big' }))).Body as Readable,
    'S3 UFS openRead (ours)': () => ufs.openRead('s3://b/big', 0, -1),
  };
  const best: Record<string, number> = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, open] of Object.entries(ways)) {
      const before = process.cpuUsage();
      let n = 0;
      for await (const chunk of await open()) n += (chunk as Buffer).length;
      const used = process.cpuUsage(before);
      if (n !== sizeMb << 20) throw new Error(`${name}: got ${n} bytes`);
      const msPerMiB = (used.user + used.system) / 1000 / sizeMb;
      best[name] = Math.min(best[name] ?? Infinity, msPerMiB);
    }
  }
  console.log(`${sizeMb} MiB from s3rver, CPU of this process per MiB received, best of ${runs}`);
  for (const [name, ms] of Object.entries(best)) console.log(`${name.padEnd(24)} ${ms.toFixed(2)} ms/MiB`);
} finally {
  client.destroy();
  await ufs.close();
  await s3.stop();
}
