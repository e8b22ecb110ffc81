// Option keys whose values are credentials. They are stored but never printed.
const SECRET_KEY_PATTERN = /(secret|password|token|credential|sessionkey|privatekey)/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

export function redactOptions(options: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) out[k] = isSecretKey(k) ? '***' : v;
  return out;
}
