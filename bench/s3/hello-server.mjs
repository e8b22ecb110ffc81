// A Node `http` hello-world answering every request with the same 4 KiB body and the headers a hot
// S3 GET sends: the ceiling for a one-process Node server (bench/s3/node-ceiling.ts).
// Usage: node hello-server.mjs PORT; prints `listening` once it does.
import http from 'node:http';

const body = Buffer.alloc(4096, 1);
const headers = ['x-amz-request-id', 'ABCDEF0123456789', 'etag', '"0123456789abcdef0123456789abcdef-1"', 'last-modified', 'Mon, 23 Nov 2026 19:00:00 GMT',
  'accept-ranges', 'bytes', 'content-type', 'application/octet-stream', 'content-length', '4096'];
http.createServer({ keepAliveTimeout: 65_000 }, (_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
}).listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('listening\n'));
