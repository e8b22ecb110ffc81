// Worker identities (DESIGN.md §6): version 1 plus the 16 bytes of a UUID, written as 32 hex chars.
// STATIC membership derives the UUID from the host name exactly as alluxiofs does
// (uuid3 with an EMPTY namespace: MD5 of the host name's UTF-8 bytes alone), so a host list gives
// the same ring in Alluxio, alluxiofs and here.

import { createHash, randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../common/errors.js';
import type { WorkerIdentity } from './worker-info.js';

/** The identity version Alluxio uses for UUID-based identities. */
export const UUID_IDENTITY_VERSION = 1;

const HEX32 = /^[0-9a-fA-F]{32}$/;
const UUID_FORM = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ACCEPTED_UUID = `a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), 32 hex digits, or worker-<uuid>`;

function identityFromBytes(bytes: Uint8Array): WorkerIdentity {
  return { version: UUID_IDENTITY_VERSION, identifier: Buffer.from(bytes).toString('hex') };
}

/** Name-based UUID v3 of `host` in an empty namespace (RFC 4122 version and variant bits set). */
export function uuid3Identity(host: string): WorkerIdentity {
  if (typeof host !== 'string' || host.length === 0) {
    throw new InvalidArgumentError(`worker host must be a non-empty string, got ${JSON.stringify(host)}`);
  }
  const b = createHash('md5').update(host, 'utf8').digest();
  b[6] = (b[6]! & 0x0f) | 0x30; // version 3
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return identityFromBytes(b);
}

/** Identity from a UUID string: dashed or 32 hex digits, optionally prefixed `worker-`. */
export function identityFromUuid(uuid: string): WorkerIdentity {
  const text = typeof uuid === 'string' ? uuid.trim().replace(/^worker-/, '') : '';
  if (!UUID_FORM.test(text) && !HEX32.test(text)) {
    throw new InvalidArgumentError(`bad worker identity ${JSON.stringify(uuid)}: expected ${ACCEPTED_UUID}`);
  }
  return { version: UUID_IDENTITY_VERSION, identifier: text.replace(/-/g, '').toLowerCase() };
}

/** A fresh random (v4) identity, for a worker that has none yet. */
export function randomIdentity(): WorkerIdentity {
  return identityFromUuid(randomUUID());
}

/** Throws unless `id` is {version: int32, identifier: 32 hex digits}. */
export function validateIdentity(id: WorkerIdentity, what = 'worker identity'): void {
  if (id === null || typeof id !== 'object') {
    throw new InvalidArgumentError(`${what} must be an object {version, identifier}, got ${JSON.stringify(id)}`);
  }
  if (!Number.isInteger(id.version) || id.version < -0x80000000 || id.version > 0x7fffffff) {
    throw new InvalidArgumentError(`${what} has a bad version ${JSON.stringify(id.version)}: expected an int32`);
  }
  if (typeof id.identifier !== 'string' || !HEX32.test(id.identifier)) {
    throw new InvalidArgumentError(
      `${what} has a bad identifier ${JSON.stringify(id.identifier)}: expected 32 hex digits (16 UUID bytes)`);
  }
}

/** The 16 identifier bytes. */
export function identityBytes(id: WorkerIdentity): Buffer {
  validateIdentity(id);
  return Buffer.from(id.identifier, 'hex');
}

/**
 * The bytes Alluxio's WorkerIdentity hash funnel feeds a hasher: identifier (16) ++ int32LE(version),
 * followed by `extra` zeroed bytes the caller may fill (e.g. a virtual node index).
 */
export function identityFunnel(id: WorkerIdentity, extra = 0): Buffer {
  const buf = Buffer.alloc(20 + extra);
  identityBytes(id).copy(buf, 0);
  buf.writeInt32LE(id.version, 16);
  return buf;
}

/** Canonical sort order of identities: identifier (case-insensitive), then version. */
export function compareIdentities(a: WorkerIdentity, b: WorkerIdentity): number {
  const x = a.identifier.toLowerCase();
  const y = b.identifier.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a.version - b.version;
}

/** The dashed UUID form (8-4-4-4-12) of an identity. */
export function identityToUuid(id: WorkerIdentity): string {
  validateIdentity(id);
  const h = id.identifier.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
