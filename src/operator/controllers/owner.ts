import type { KubeObject, OwnerReference } from '../kube/types.js';

export function controllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export function withOwner(obj: KubeObject, owner: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: [controllerRef(owner)] } };
}

export function isOwnedBy(obj: KubeObject, owner: { metadata: { uid?: string } }): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);
}
