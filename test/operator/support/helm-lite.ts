// Renders the few Go-template constructs the chart uses (no helm binary on these machines):
// {{ .Values.a.b }}, {{ .Release.Name|Namespace }}, `| quote`, {{- if X }}…{{- end }},
// {{- range X }}…{{ . }}…{{- end }}. Anything else is an error, so the chart stays this simple.

type Ctx = { Values: Record<string, unknown>; Release: { Name: string; Namespace: string } };

function lookup(expr: string, ctx: Ctx, dot: unknown): unknown {
  const e = expr.trim();
  if (e === '.') return dot;
  if (!e.startsWith('.')) throw new Error(`unsupported template expression: ${e}`);
  let cur: unknown = ctx;
  for (const k of e.slice(1).split('.')) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return cur;
}

function value(expr: string, ctx: Ctx, dot: unknown): string {
  const [base, ...pipes] = expr.split('|').map((s) => s.trim());
  let v = lookup(base!, ctx, dot);
  for (const p of pipes) {
    if (p === 'quote') v = JSON.stringify(v === undefined || v === null ? '' : String(v));
    else throw new Error(`unsupported pipe: ${p}`);
  }
  return v === undefined || v === null ? '' : String(v);
}

export function renderTemplate(text: string, ctx: Ctx, dot: unknown = undefined): string {
  const re = /[ \t]*\{\{-?\s*(if|range)\s+([^}]+?)\s*-?\}\}\n?|\{\{-?\s*([^}]+?)\s*-?\}\}/g;
  let out = '';
  let i = 0;
  for (;;) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) { out += text.slice(i); return out; }
    out += text.slice(i, m.index);
    if (m[1]) {
      // Find the matching {{- end }} (nesting-aware).
      const endRe = /[ \t]*\{\{-?\s*(if|range|end)\b[^}]*\}\}\n?/g;
      endRe.lastIndex = m.index + m[0].length;
      let depth = 1;
      let e: RegExpExecArray | null;
      while ((e = endRe.exec(text))) { depth += e[1] === 'end' ? -1 : 1; if (depth === 0) break; }
      if (!e) throw new Error(`unclosed {{ ${m[1]} }}`);
      const body = text.slice(m.index + m[0].length, e.index);
      const v = lookup(m[2]!, ctx, dot);
      if (m[1] === 'if') { if (v && (!Array.isArray(v) || v.length)) out += renderTemplate(body, ctx, dot); }
      else for (const item of (v as unknown[]) ?? []) out += renderTemplate(body, ctx, item);
      i = e.index + e[0].length;
    } else {
      if (/^end\b/.test(m[3]!)) throw new Error('unexpected {{ end }}');
      out += value(m[3]!, ctx, dot);
      i = m.index + m[0].length;
    }
  }
}

export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? deepMerge(out[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}
