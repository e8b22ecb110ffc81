// The shape of one property declaration. property-spec-schema.ts holds the same rules as a zod
// schema, which the tests apply to every declaration.

export const PROPERTY_TYPES = ['string', 'int', 'bool', 'size', 'duration', 'enum', 'list', 'sizeList'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

export const PROPERTY_SCOPES = ['all', 'worker', 'coordinator', 'client', 'fuse', 'operator'] as const;
export type PropertyScope = (typeof PROPERTY_SCOPES)[number];

export interface PropertySpec {
  /** The key as written in alluxio-site.properties. */
  readonly name: string;
  readonly type: PropertyType;
  /** The default as Alluxio writes it (may hold `${key}` references); undefined = unset. */
  readonly default: string | undefined;
  /** A default computed when the configuration loads; `cwd` = the process's working directory. */
  readonly dynamicDefault?: 'cwd';
  readonly description: string;
  readonly scope: PropertyScope;
  /** Accepted values of an enum property, upper case. */
  readonly values?: readonly string[];
  /** Redacted (`***`) whenever the configuration is printed. */
  readonly secret?: boolean;
  /** Inclusive bounds: the value for int, bytes for size and sizeList, milliseconds for duration. */
  readonly min?: number;
  readonly max?: number;
  /** Other names accepted for this property (e.g. Alluxio's spelling); they map to `name`. */
  readonly aliases?: readonly string[];
}

/** An Alluxio key that we accept in a configuration but ignore, with the reason shown in the warning. */
export interface IgnoredKey {
  /** An exact key, or a pattern such as `alluxio.worker.tieredstore.level*` (`*` = any run of characters). */
  readonly pattern: string;
  readonly reason: string;
}
