import { CONDITION, REASON } from '../constants.js';
import type { AlluxioCluster, AlluxioClusterStatus } from '../api/alluxio-cluster.js';
import {
  etcdBootstrapName, etcdDataClaim, etcdMemberName, etcdPeerUrl, initialTopology, type EtcdTopology,
} from '../builders/etcd.js';
import { clusterNames } from '../builders/names.js';
import type { KubeApi } from '../kube/types.js';
import type { ConditionInput } from './conditions.js';
import { EtcdMemberApiError, type EtcdMember, type EtcdMemberApi } from './etcd-members.js';

// Reconcile step 4a: scale the operator's etcd one member at a time through the member API.
//
// Up, N -> N+1: `member add` ordinal N as a learner (it does not count toward quorum, so a pod
// that never starts, e.g. for lack of a node, cannot cost the cluster its quorum), then raise
// the StatefulSet to N+1 with the bootstrap ConfigMap saying `existing` and members 0..N; once
// the new member has started and every pod is ready, promote it to a voting member.
// Down, N -> N-1: only when every member is started and every pod ready, `member remove` the
// highest ordinal (the N-1 left are healthy, so quorum holds), then lower the StatefulSet.
// Each pass does at most one member call; the next waits for the result to be healthy. The state
// lives in etcd's member list, the StatefulSet and status.etcd, so a restarted operator continues.

export type EtcdStatus = NonNullable<AlluxioClusterStatus['etcd']>;

export interface EtcdStep {
  topology: EtcdTopology;
  status: EtcdStatus;
  /** Present while scaling (False) or when a step just finished (True). */
  condition?: ConditionInput;
  /** true while a scaling step is pending: the cluster is not Ready. */
  scaling: boolean;
  requeueMs?: number;
}

export const ETCD_STEP_REQUEUE_MS = 3_000;

export async function stepEtcdMembership(api: KubeApi, etcd: () => EtcdMemberApi, c: AlluxioCluster,
  prev: EtcdStatus | undefined): Promise<EtcdStep> {
  const target = c.spec.etcd.replicaCount;
  const ns = c.metadata.namespace;
  const sts = await api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: ns, name: clusterNames(c).etcd });
  if (!sts) {
    // First bootstrap: every replica starts together with `new`.
    const topology = initialTopology(c);
    return { topology, status: { members: target, target, clusterState: 'new' }, scaling: false };
  }
  const replicas = (sts.spec?.replicas as number | undefined) ?? target;
  let clusterState = prev?.clusterState;
  if (!clusterState) {
    const cm = await api.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: etcdBootstrapName(c) });
    clusterState = cm?.data?.['initial-cluster-state'] === 'existing' ? 'existing' : 'new';
  }
  const keep = (state: 'new' | 'existing'): EtcdTopology => ({ replicas, members: replicas, state });
  const established = prev?.members ?? replicas;
  if (replicas === target && established === replicas) {
    return { topology: keep(clusterState), status: { members: replicas, target, clusterState }, scaling: false };
  }

  const even = target % 2 === 0
    ? ` (${target} members tolerate no more failures than ${target - 1}: an odd count is recommended)` : '';
  const progress = (members: number, topology: EtcdTopology, step: string, ok = false): EtcdStep => ({
    topology, scaling: !ok, requeueMs: ETCD_STEP_REQUEUE_MS,
    status: { members, target, clusterState: topology.state, step },
    condition: { type: CONDITION.EtcdScaling, ok, reason: ok ? REASON.EtcdScaled : REASON.EtcdScaling,
      message: ok ? `etcd has ${members} members${even}` : `scaling etcd from ${replicas} to ${target} members, one at a time: ${step}${even}` },
  });
  const blocked = (reason: string, message: string): EtcdStep => ({
    topology: keep(clusterState), scaling: true, requeueMs: ETCD_STEP_REQUEUE_MS * 3,
    status: { members: established, target, clusterState: clusterState!, step: message },
    condition: { type: CONDITION.EtcdScaling, ok: false, reason, message },
  });

  const api2 = etcd();
  let list: EtcdMember[];
  try {
    list = await api2.list();
  } catch (err) {
    return blocked(REASON.EtcdUnreachable, `cannot list etcd members to scale from ${replicas} to ${target}: ${(err as Error).message}`);
  }
  const ordinalOf = (m: EtcdMember) => {
    for (let i = 0; i < Math.max(replicas, target) + 1; i++) if (m.peerURLs.includes(etcdPeerUrl(c, i))) return i;
    return -1;
  };
  const ready = (sts.status?.readyReplicas as number | undefined) ?? 0;
  const observed = ((sts.status?.observedGeneration as number | undefined) ?? 0) >= (sts.metadata.generation ?? 0);
  const podsReady = observed && ready >= replicas;
  const existing = (n: number): EtcdTopology => ({ replicas: n, members: n, state: 'existing' });

  // 1. A joining member (a learner) is finished first: start its pod, then promote it.
  const learner = list.find((m) => m.isLearner);
  if (learner) {
    const k = ordinalOf(learner);
    const name = etcdMemberName(c, k);
    if (k < 0) return blocked(REASON.EtcdMembersMismatch, `etcd has a learner the operator did not add (peer ${learner.peerURLs.join(',')}); remove or promote it with etcdctl`);
    if (k >= replicas) return progress(k, existing(k + 1), `member ${name} added as a learner; starting its pod`);
    if (!learner.name || !podsReady) return progress(k, existing(replicas), `waiting for member ${name} to start and every etcd pod to be ready (${ready}/${replicas})`);
    try {
      await api2.promote(learner.id);
    } catch (err) {
      if (err instanceof EtcdMemberApiError && err.notInSync) return progress(k, existing(replicas), `waiting for member ${name} to catch up with the leader`);
      return blocked(REASON.EtcdUnreachable, `promoting etcd member ${name} failed: ${(err as Error).message}`);
    }
    return progress(replicas, existing(replicas), `member ${name} promoted to a voting member`, replicas === target);
  }

  const voting = list.filter((m) => !m.isLearner);
  const strangers = voting.filter((m) => ordinalOf(m) < 0 || ordinalOf(m) >= replicas);
  const unstarted = voting.filter((m) => !m.name);
  if (strangers.length) {
    return blocked(REASON.EtcdMembersMismatch, `etcd has members the StatefulSet does not run (${strangers.map((m) => m.name || m.peerURLs.join(',')).join(', ')}); `
      + 'the operator does not scale until they are removed with etcdctl member remove');
  }
  if (unstarted.length || !podsReady) {
    return progress(established, keep(clusterState), `waiting for every etcd member to be started and ready (${ready}/${replicas} pods ready) before the next step`);
  }

  if (replicas < target) {
    if (voting.length !== replicas) {
      return blocked(REASON.EtcdMembersMismatch, `etcd lists ${voting.length} members but the StatefulSet runs ${replicas}; not scaling until they agree`);
    }
    // A claim left by a member removed earlier holds that member's old data dir: the new member
    // must start empty, or etcd refuses it as a removed member.
    const claimRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name: etcdDataClaim(c, replicas) };
    const claim = await api.get(claimRef);
    if (claim) {
      if (!claim.metadata.deletionTimestamp) await api.delete(claimRef);
      return progress(replicas, existing(replicas), `deleting ${claimRef.name}, left by an earlier member ${etcdMemberName(c, replicas)}, before the member is added again`);
    }
    try {
      await api2.add(etcdPeerUrl(c, replicas), { learner: true });
    } catch (err) {
      // e.g. "unhealthy cluster": etcd refuses reconfiguration until its members have been connected a while.
      return progress(replicas, keep(clusterState), `etcd refused to add member ${etcdMemberName(c, replicas)} (${(err as Error).message}); retrying`);
    }
    return progress(replicas, existing(replicas + 1), `member ${etcdMemberName(c, replicas)} added as a learner; starting its pod`);
  }

  if (replicas > target) {
    // Only the highest ordinal leaves, and only from a cluster whose members are all healthy:
    // the members that stay are then a quorum of the smaller cluster.
    const victim = voting.find((m) => ordinalOf(m) === replicas - 1);
    if (victim) {
      if (voting.length < 2) return blocked(REASON.EtcdMembersMismatch, 'etcd would have no member left; not removing the last one');
      try {
        await api2.remove(victim.id);
      } catch (err) {
        return progress(established, keep(clusterState), `etcd refused to remove member ${etcdMemberName(c, replicas - 1)} (${(err as Error).message}); retrying`);
      }
    }
    const left = replicas - 1;
    return progress(left, existing(left), `member ${etcdMemberName(c, left)} removed; stopping its pod`, left === target);
  }

  // replicas === target, every member voting and ready: the last step is done.
  return progress(replicas, keep(clusterState), 'done', true);
}
