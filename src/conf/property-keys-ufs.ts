import type { PropertySpec } from './property-spec.js';

// Under file system properties. Mount options may override any of them for one mount.

export const UFS_PROPERTIES = [
  {
    name: 'alluxio.underfs.local.symlinks.within.root.allowed', type: 'bool', default: 'true', scope: 'all',
    description: 'Local UFS: follow symbolic links whose target stays inside the mount\'s root. Links leading out of the root are always refused (and left out of listings).',
  },
  {
    name: 'alluxio.underfs.s3.region', type: 'string', default: 'us-east-1', scope: 'all',
    description: 'AWS region of S3 buckets.',
  },
  {
    name: 'alluxio.underfs.s3.endpoint', type: 'string', default: undefined, scope: 'all',
    description: 'S3 endpoint URL for S3-compatible stores (MinIO, Ceph...). Unset = AWS for the region.',
  },
  {
    name: 'alluxio.underfs.s3.disable.dns.buckets', type: 'bool', default: 'false', scope: 'all',
    description: 'Address buckets path-style (endpoint/bucket/key) instead of as a host name; true for most S3-compatible stores.',
  },
  {
    name: 'alluxio.underfs.s3.max.error.retry', type: 'int', default: '5', min: 0, scope: 'all',
    description: 'Retries of a failed S3 request.',
  },
  {
    name: 'alluxio.underfs.s3.request.timeout', type: 'duration', default: '60s', min: 1, scope: 'all',
    description: 'Timeout of one S3 request.',
  },
  {
    name: 'alluxio.underfs.s3.connect.timeout', type: 'duration', default: '10s', min: 1, scope: 'all',
    description: 'Timeout for connecting to S3.',
  },
  {
    name: 'alluxio.underfs.hdfs.configuration', type: 'string', default: undefined, scope: 'all',
    description: 'Hadoop configuration files (core-site.xml, hdfs-site.xml), separated by \':\'. An hdfs:// mount reads them to find the NameNode\'s WebHDFS address (dfs.namenode.http-address, HA name services) and the security mode.',
  },
  {
    name: 'alluxio.security.login.username', type: 'string', default: undefined, scope: 'all',
    description: 'The user name hdfs:// and webhdfs:// mounts act as (WebHDFS user.name, simple authentication). Unset = the OS user of the process.',
  },
  {
    name: 'alluxio.underfs.webhdfs.request.timeout', type: 'duration', default: '60s', min: 1, scope: 'all',
    description: 'Timeout of one WebHDFS request (hdfs://, webhdfs:// and swebhdfs:// mounts), including a stalled body.',
  },
  {
    name: 's3a.accessKeyId', type: 'string', default: undefined, scope: 'all',
    description: 'S3 access key id. Unset = the AWS default credential chain.',
  },
  {
    name: 's3a.secretKey', type: 'string', default: undefined, scope: 'all', secret: true,
    description: 'S3 secret access key. Redacted when printed.',
  },
  {
    name: 'aws.accessKeyId', type: 'string', default: undefined, scope: 'all',
    description: 'S3 access key id (AWS SDK spelling); s3a.accessKeyId wins when both are set.',
  },
  {
    name: 'aws.secretKey', type: 'string', default: undefined, scope: 'all', secret: true,
    description: 'S3 secret access key (AWS SDK spelling); s3a.secretKey wins when both are set. Redacted when printed.',
  },
] as const satisfies readonly PropertySpec[];
