// Shared fixtures for the hash ring tests.

import { uuid3Identity } from '../../src/hashring/identity.js';
import type { WorkerInfo } from '../../src/hashring/worker-info.js';
import { identityKey } from '../../src/hashring/worker-info.js';

export const VECTORS_DIR = new URL('../fixtures/alluxio-hash-ring/', import.meta.url);

export function makeWorker(host: string, capacityBytes?: number): WorkerInfo {
  return {
    identity: uuid3Identity(host),
    address: {
      Host: host, ContainerHost: '', RpcPort: 29999, DataPort: 29997, SecureRpcPort: 0,
      NettyDataPort: 29997, WebPort: 30000, DomainSocketPath: '', HttpServerPort: 28080,
    },
    ...(capacityBytes === undefined ? {} : { capacityBytes }),
  };
}

export function makeWorkers(count: number, prefix = 'worker'): WorkerInfo[] {
  return Array.from({ length: count }, (_, i) => makeWorker(`${prefix}-${i}.example.com`));
}

/** The brief's key set: s3://bucket/file-<i>. */
export function sampleKeys(count = 10_000): string[] {
  return Array.from({ length: count }, (_, i) => `s3://bucket/file-${i}`);
}

export function ids(workers: readonly WorkerInfo[]): string[] {
  return workers.map((w) => identityKey(w.identity));
}

/** Deterministic Fisher-Yates shuffle (mulberry32), so a failing order can be reproduced. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
