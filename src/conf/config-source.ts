// Where a configuration value came from. Sources apply in this order, later winning:
// default → site-properties → env → java-opts → cli → override.

export type ConfigSourceKind = 'default' | 'site-properties' | 'env' | 'java-opts' | 'cli' | 'override';

export interface ConfigSource {
  readonly kind: ConfigSourceKind;
  /** site-properties: the file path; env: the variable; java-opts: the variable; override: who set it. */
  readonly detail?: string;
}

/** One `key=value` from some source, before validation. */
export interface ConfigInput {
  readonly key: string;
  readonly value: string;
  readonly source: ConfigSource;
  /** Where to point in messages, e.g. `/etc/alluxio/alluxio-site.properties:12` or `--conf`. */
  readonly location?: string;
}

export const DEFAULT_SOURCE: ConfigSource = Object.freeze({ kind: 'default' });
