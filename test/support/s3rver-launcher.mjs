// Runs s3rver as its own process for tests (started by s3-server.ts under
// `node --openssl-legacy-provider`, which s3rver's DES continuation tokens need).
// Usage: node --openssl-legacy-provider s3rver-launcher.mjs <json {port, directory, buckets[, address]}>
// Prints one line `{"port":N}` once it listens; exits on SIGTERM/SIGINT or when stdin closes.
// On SIGUSR2 prints one line `{"requests":{"GET object range":N,...},"connections":N}`: what it
// received since the last such line (benches compare the requests of two clients).
import S3rver from 's3rver';

const { port, directory, buckets, address } = JSON.parse(process.argv[2] ?? '{}');
const server = new S3rver({
  port: port ?? 0,
  address: address ?? '127.0.0.1',
  directory,
  silent: true,
  configureBuckets: (buckets ?? []).map((name) => ({ name })),
});
const addr = await server.run();
let requests = {};
let connections = 0;
server.httpServer.on('connection', () => { connections++; });
server.httpServer.on('request', (req) => {
  // Path-style: /bucket (or /bucket/) is the bucket (a listing when a GET), /bucket/key an object.
  const path = (req.url ?? '/').split('?')[0];
  const slash = path.indexOf('/', 1);
  const what = slash > 0 && slash < path.length - 1 ? `object${req.headers.range ? ' range' : ''}` : 'bucket';
  const key = `${req.method} ${what}`;
  requests[key] = (requests[key] ?? 0) + 1;
});
process.on('SIGUSR2', () => {
  process.stdout.write(`${JSON.stringify({ requests, connections })}\n`);
  requests = {};
  connections = 0;
});
process.stdout.write(`${JSON.stringify({ port: addr.port })}\n`);

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// If the test process dies without stopping us, our stdin closes: do not linger.
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();
