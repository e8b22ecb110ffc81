// A small validator for the OpenAPI v3 subset our generated CRDs use (type, enum, pattern,
// minimum, maximum, minLength, required, properties, additionalProperties, items,
// x-kubernetes-preserve-unknown-fields, x-kubernetes-int-or-string), to check that the CRD
// YAML accepts and rejects what the zod schemas do. Unknown fields are pruned, not errors, as
// the API server does by default; with `strict` they are errors, as with kubectl's default
// --validate=strict (fieldValidation=Strict: 'strict decoding error: unknown field "spec.x"').
type S = Record<string, any>;

export interface OpenApiCheckOptions { strict?: boolean }

export function checkOpenApi(schema: S, value: unknown, path = '', opts: OpenApiCheckOptions = {}): string[] {
  const errs: string[] = [];
  const at = path || '(root)';
  if (value === undefined || value === null) return errs;
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && !Number.isInteger(value)) errs.push(`${at}: expected int or string`);
    return errs;
  }
  switch (schema.type) {
    case 'string': if (typeof value !== 'string') return [`${at}: expected string`]; break;
    case 'integer': if (!Number.isInteger(value)) return [`${at}: expected integer`]; break;
    case 'number': if (typeof value !== 'number') return [`${at}: expected number`]; break;
    case 'boolean': if (typeof value !== 'boolean') return [`${at}: expected boolean`]; break;
    case 'array': if (!Array.isArray(value)) return [`${at}: expected array`]; break;
    case 'object': if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected object`]; break;
  }
  if (schema.enum && !schema.enum.includes(value)) errs.push(`${at}: not one of ${schema.enum.join(', ')}`);
  if (schema.pattern && typeof value === 'string' && !new RegExp(schema.pattern).test(value)) errs.push(`${at}: does not match ${schema.pattern}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errs.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errs.push(`${at}: above ${schema.maximum}`);
  }
  if (typeof value === 'string' && schema.minLength !== undefined && value.length < schema.minLength) errs.push(`${at}: shorter than ${schema.minLength}`);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errs.push(`${at}: fewer than ${schema.minItems} items`);
    value.forEach((v, i) => errs.push(...checkOpenApi(schema.items ?? {}, v, `${path}[${i}]`, opts)));
  }
  if (schema.type === 'object' && !schema['x-kubernetes-preserve-unknown-fields']) {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (obj[r] === undefined) errs.push(`${path ? `${path}.` : ''}${r}: required`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      const at = path ? `${path}.${k}` : k;
      if (sub) {
        // metadata is ObjectMeta, decoded by the server itself (the CRD schema leaves it untyped).
        if (at !== 'metadata') errs.push(...checkOpenApi(sub, v, at, opts));
      } else if (opts.strict && schema.additionalProperties !== true) {
        errs.push(`unknown field "${at}"`);
      }
    }
  }
  return errs;
}
