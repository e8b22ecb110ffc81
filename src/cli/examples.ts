import type { Command } from 'commander';

/**
 * Examples per command, by its path under `alluxio` ('fs ls', 'local start'). Shown under
 * "Examples:" in the command's --help and in docs/cli.md; test/cli/cli-docs.test.ts fails for a
 * command without one. A new verb adds its line here.
 */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  'fs load': ['alluxio fs load /s3/dataset --verify', 'alluxio fs load /s3/dataset --bandwidth 100MB --replicas 2'],
  'fs free': ['alluxio fs free /s3/dataset'],
  'fs ls': ['alluxio fs ls /', 'alluxio fs ls -R -h /s3/dataset', 'alluxio fs ls --json /s3'],
  'fs stat': ['alluxio fs stat /s3/dataset/part-0000.parquet'],
  'fs cat': ['alluxio fs cat /hello.txt'],
  'fs head': ['alluxio fs head -c 4KB /logs/app.log'],
  'fs tail': ['alluxio fs tail -c 1KB /logs/app.log'],
  'fs cp': ['alluxio fs cp file:///tmp/local.csv /data/local.csv', 'alluxio fs cp /data/report.csv file:///tmp/report.csv'],
  'fs rm': ['alluxio fs rm /data/old.csv', 'alluxio fs rm -R /data/tmp'],
  'fs mkdir': ['alluxio fs mkdir /data/2024 /data/2025'],
  'fs mv': ['alluxio fs mv /data/tmp/part-0.csv /data/final/part-0.csv'],
  'fs touch': ['alluxio fs touch /data/_SUCCESS'],
  'fs test': ['alluxio fs test -e /data/_SUCCESS && echo ready', 'alluxio fs test -d /data'],
  'fs checksum': ['alluxio fs checksum /s3/dataset/part-0000.parquet'],
  'fs check-cached': ['alluxio fs check-cached /s3/dataset', 'alluxio fs check-cached --json /s3/dataset'],
  'fs consistent-hash': ['alluxio fs consistent-hash /s3/dataset/part-0000.parquet'],
  'fs du': ['alluxio fs du -h -s /s3/dataset'],
  'fs count': ['alluxio fs count /s3/dataset'],
  'fs location': ['alluxio fs location /s3/dataset/part-0000.parquet'],
  'fs mount': ['alluxio fs mount', 'alluxio fs mount --option s3a.accessKeyId=AKIA... --option s3a.secretKey=... /s3 s3://bucket/dir/'],
  'fs unmount': ['alluxio fs unmount /s3'],
  'fs copyFromLocal': ['alluxio fs copyFromLocal /tmp/dataset /data/dataset'],
  'fs copyToLocal': ['alluxio fs copyToLocal /data/report.csv ./report.csv'],
  'fs distributedLoad': ['alluxio fs distributedLoad --replication 2 /s3/dataset'],
  'fuse mount': ['alluxio fuse mount /mnt/alluxio', 'alluxio fuse mount -f -o allow_other /mnt/alluxio'],
  'fuse unmount': ['alluxio fuse unmount /mnt/alluxio'],
  'fuse stat': ['alluxio fuse stat --json'],
  'job load': ['alluxio job load --path /s3/dataset --submit', 'alluxio job load --path /s3/dataset --progress --watch'],
  'job free': ['alluxio job free --path /s3/dataset --submit'],
  'job list': ['alluxio job list --json'],
  'mount add': ['alluxio mount add --path /s3 --ufs-uri s3://bucket/dir/ --option s3a.accessKeyId=AKIA... --option s3a.secretKey=...', 'alluxio mount add --path /nas --ufs-uri /mnt/nas/data'],
  'mount list': ['alluxio mount list', 'alluxio mount list --json'],
  'mount remove': ['alluxio mount remove --path /s3'],
  'conf get': ['alluxio conf get', 'alluxio conf get alluxio.etcd.endpoints --source'],
  'conf log': ['alluxio conf log', 'alluxio conf log --level debug --target workers'],
  'getConf': ['alluxio getConf alluxio.worker.page.store.sizes', 'alluxio getConf --unit MB alluxio.worker.page.store.page.size', 'alluxio getConf --source'],
  'logLevel': ['alluxio logLevel --logName worker --target localhost:30000 --level DEBUG'],
  'info cache': ['alluxio info cache'],
  'info nodes': ['alluxio info nodes --json'],
  'info cluster': ['alluxio info cluster'],
  'info version': ['alluxio info version'],
  'info report': ['alluxio info report', 'alluxio info report capacity', 'alluxio info report ufs --json'],
  'fsadmin report': ['alluxio fsadmin report', 'alluxio fsadmin report capacity', 'alluxio fsadmin report metrics --json'],
  'license status': ['alluxio license status'],
  'license show': ['alluxio license show --json'],
  'exec ufsTest': ['alluxio exec ufsTest --path s3://bucket/scratch/', 'alluxio exec ufsTest --path /mnt/nas/scratch --json'],
  'runTests': ['alluxio runTests', 'alluxio runTests --path /s3'],
  'collectinfo': ['alluxio collectinfo --output /tmp/alluxio-info.tar.gz'],
  'format': ['alluxio format'],
  'formatJournal': ['alluxio formatJournal'],
  'formatMasters': ['alluxio formatMasters'],
  'formatWorker': ['alluxio formatWorker'],
  'process start': ['alluxio process start worker', 'alluxio process start coordinator'],
  'process stop': ['alluxio process stop worker', 'alluxio process stop all --dir /tmp/cluster2'],
  'ring plan': ['alluxio ring plan --add 2', 'alluxio ring plan --remove worker-1 --json'],
  'local start': ['alluxio local start', 'alluxio local start --workers 3 --ufs ./data --cache-size 4GB', 'alluxio local start --dir /tmp/cluster2 --port-base 1000'],
  'local stop': ['alluxio local stop', 'alluxio local stop --dir /tmp/cluster2'],
  'local restart': ['alluxio local restart worker-0'],
  'local status': ['alluxio local status --json'],
  'operator': ['alluxio operator --namespace alluxio-operator --leader-elect'],
  'k8s render': ['alluxio k8s render -f alluxio-cluster.yaml'],
  'k8s preflight': ['alluxio k8s preflight -f alluxio-cluster.yaml'],
};

/** Path of a command under the root: 'fs ls'. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Adds "Examples:" to the help of every registered command that has some. */
export function addExamples(program: Command): void {
  const walk = (cmd: Command) => {
    for (const c of cmd.commands) {
      const examples = EXAMPLES[commandPath(c)];
      if (examples) c.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
      walk(c);
    }
  };
  walk(program);
}
