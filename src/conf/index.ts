// The configuration module: property declarations, .properties parsing, loading and lookup.

export { AlluxioConfiguration, type BuildOptions, type ConfigEntry } from './configuration.js';
export type { ConfigInput, ConfigSource, ConfigSourceKind } from './config-source.js';
export { loadConfiguration, ENV_PROPERTIES, SITE_PROPERTIES_FILE, type LoadOptions } from './load.js';
export { parseProperties, readPropertiesFile, stringifyProperties, type PropertiesEntry } from './properties-file.js';
export { splitJavaOpts, systemPropertiesOf } from './java-opts.js';
export {
  PROPERTIES, IGNORED_KEYS, findProperty, findIgnoredKey, suggestProperty,
  type PropertyName, type PropertyNameOfType, type EnumValueOf,
} from './property-keys.js';
export {
  PROPERTY_TYPES, PROPERTY_SCOPES,
  type PropertySpec, type PropertyType, type PropertyScope, type IgnoredKey,
} from './property-spec.js';
export { parsePropertyValue, expectedForm, splitList, type PropertyValue } from './property-values.js';
export { describeProperty, listProperties, renderPropertyTable, type PropertyDescription } from './property-docs.js';
