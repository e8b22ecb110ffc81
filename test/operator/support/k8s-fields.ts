import * as models from '@kubernetes/client-node';

// The fields each built-in kind declares, from the generated models of @kubernetes/client-node
// (their attributeTypeMap mirrors the API server's OpenAPI). A real server refuses a field that
// is not declared: server-side apply answers "field not declared in schema", and kubectl's
// default strict validation "unknown field". kubernetes-models' validators let such fields through.

type AttributeMap = { baseName: string; type: string }[];
const lookup = models as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>;

/** The model of a built-in kind (V1StatefulSet, CoreV1Event...), or undefined for kinds it does not have (CRDs). */
function modelOf(apiVersion: string, kind: string): string | undefined {
  const version = apiVersion.split('/').pop()!;
  const v = version.charAt(0).toUpperCase() + version.slice(1);
  for (const name of [`${v}${kind}`, `Core${v}${kind}`]) if (lookup[name]?.getAttributeTypeMap) return name;
  return undefined;
}

function walk(type: string, value: unknown, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  let m = /^Array<(.+)>$/.exec(type);
  if (m) { if (Array.isArray(value)) value.forEach((v, i) => walk(m![1]!, v, `${path}[${i}]`, out)); return; }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) { if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(m[1]!, v, `${path}.${k}`, out); return; }
  const attrs = lookup[type]?.getAttributeTypeMap?.();
  if (!attrs || typeof value !== 'object' || Array.isArray(value)) return; // string, number, IntOrString, any...
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const a = attrs.find((x) => x.baseName === k);
    if (!a) out.push(`${path}.${k}`);
    else walk(a.type, v, `${path}.${k}`, out);
  }
}

/** The paths of fields a built-in object has that its kind does not declare; undefined for kinds without a model (CRDs). */
export function undeclaredFields(obj: { apiVersion: string; kind: string }): string[] | undefined {
  const model = modelOf(obj.apiVersion, obj.kind);
  if (!model) return undefined;
  const out: string[] = [];
  walk(model, obj, '', out);
  return out;
}
