import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RestKubeApi } from './kube/rest-api.js';
import { runOperator } from './operator.js';
import { clusterForPreflight, formatTable, runPreflight } from './preflight/preflight.js';
import { RegistryImageProber } from './preflight/image-probe.js';
import { renderClusterWithWarnings, toYamlStream } from './render.js';

// CLI verbs of the operator module; the lead wires registerOperatorCommands into src/cli/main.ts.

function readInput(file: string): string {
  return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
}

export function registerOperatorCommands(program: Command): void {
  program.command('operator')
    .description('run the Kubernetes operator (AlluxioCluster, UnderFileSystem, License)')
    .option('--namespace <ns>', 'watch one namespace only (default: all namespaces)', process.env.WATCH_NAMESPACE || undefined)
    .option('--leader-elect', 'elect a leader through a Lease (for more than one replica)', process.env.LEADER_ELECT === 'true')
    .option('--lease-namespace <ns>', 'namespace of the leader Lease', process.env.POD_NAMESPACE ?? 'alluxio-operator')
    .option('--resync <seconds>', 'full re-list interval', '300')
    .option('--health-port <port>', 'port of the /healthz and /readyz probes', '8081')
    .action(async (opts: { namespace?: string; leaderElect?: boolean; leaseNamespace: string; resync: string; healthPort: string }) => {
      const api = RestKubeApi.fromDefault();
      await runOperator({
        api,
        server: api.serverUrl(),
        healthPort: Number(opts.healthPort),
        namespace: opts.namespace,
        resyncMs: Number(opts.resync) * 1000,
        ...(opts.leaderElect ? { leaderElection: { namespace: opts.leaseNamespace } } : {}),
      });
    });

  const k8s = program.command('k8s').description('Kubernetes helpers: render manifests, preflight checks');
  k8s.command('render')
    .description('print the objects the operator would create for an AlluxioCluster (for kubectl apply -f -)')
    .requiredOption('-f, --file <file>', 'alluxio-cluster.yaml (- for stdin)')
    .action((opts: { file: string }) => {
      const r = renderClusterWithWarnings(readInput(opts.file), opts.file);
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(toYamlStream(r.objects));
    });
  k8s.command('preflight')
    .description('check the current kubeconfig\'s cluster before installing (version, RBAC, StorageClass, nodes, disk, images)')
    .option('-f, --file <file>', 'alluxio-cluster.yaml to check against (default: the defaults)')
    .option('--json', 'print JSON instead of a table')
    .option('--operator-namespace <ns>', 'namespace the operator will be installed in', 'alluxio-operator')
    .action(async (opts: { file?: string; json?: boolean; operatorNamespace: string }) => {
      const cluster = clusterForPreflight(opts.file ? readInput(opts.file) : undefined);
      const rows = await runPreflight({ api: RestKubeApi.fromDefault(), cluster, images: new RegistryImageProber(), operatorNamespace: opts.operatorNamespace });
      process.stdout.write(opts.json ? JSON.stringify({ checks: rows, ok: rows.every((r) => r.result !== 'FAIL') }, null, 2) + '\n' : formatTable(rows));
      if (rows.some((r) => r.result === 'FAIL')) process.exitCode = 1;
    });
}
