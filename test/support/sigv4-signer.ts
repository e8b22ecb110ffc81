import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

function bytes(d: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof d === 'string') return Buffer.from(d);
  if (d instanceof ArrayBuffer) return Buffer.from(d);
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

/** Node's crypto as the SHA-256 / HMAC the smithy signer wants. */
export class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(d: string | ArrayBuffer | ArrayBufferView): void { this.h.update(bytes(d)); }
  async digest(): Promise<Uint8Array> { return this.h.digest(); }
  reset(): void {}
}

/**
 * The AWS SDK's own SigV4 signer (an implementation independent of ours): the headers that sign
 * `method url` with the given payload hash.
 */
export async function sigV4Headers(method: string, url: string, accessKeyId: string, secretAccessKey: string, payloadHash = 'UNSIGNED-PAYLOAD', extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const u = new URL(url);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, sha256: Sha256, uriEscapePath: false });
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) query[k] = v;
  const signed = await signer.sign({
    method, protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: u.pathname, query,
    headers: { host: u.host, 'x-amz-content-sha256': payloadHash, ...extra },
  });
  return signed.headers as Record<string, string>;
}
