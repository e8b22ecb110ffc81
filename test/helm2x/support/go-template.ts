// A Go text/template + Helm (sprig) subset, enough for deploy/helm/alluxio (no helm binary on these
// machines). Supported: {{- -}} trimming, comments, pipelines with `|`, parentheses, variables
// ($, $x := ..., $x = ..., range $k, $v := ...), if / else if / else, range (lists and maps, maps in
// key order as Go does), with, define / include / template, and the functions in FUNCS. Anything
// else is an error naming it, so the chart cannot use a construct a real `helm template` would
// render differently than this does.
import { stringify } from 'yaml';

type Dict = Record<string, unknown>;
type Node =
  | { t: 'text'; s: string }
  | { t: 'out'; p: Pipe }
  | { t: 'if'; branches: { p: Pipe; body: Node[] }[]; otherwise: Node[] }
  | { t: 'range'; vars: string[]; p: Pipe; body: Node[]; otherwise: Node[] }
  | { t: 'with'; p: Pipe; body: Node[]; otherwise: Node[] }
  | { t: 'tmpl'; name: string; p: Pipe | null };
/** A pipeline: optional variable declaration/assignment, then commands joined by `|`. */
interface Pipe { decl: string[]; assign: boolean; cmds: Arg[][] }
type Arg =
  | { k: 'lit'; v: unknown }
  | { k: 'field'; base: 'dot' | string; path: string[] }
  | { k: 'fn'; name: string }
  | { k: 'sub'; p: Pipe; path: string[] };

export class TemplateError extends Error {}

// ---- lexing: text and actions, with trim markers applied ----
type Item = { text?: string; action?: string; line: number };

function lex(src: string, file: string): Item[] {
  const out: Item[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) { out.push({ text: src.slice(i), line: 0 }); break; }
    let text = src.slice(i, open);
    const trimLeft = src[open + 2] === '-' && /\s/.test(src[open + 3] ?? '');
    if (trimLeft) text = text.replace(/\s+$/, '');
    out.push({ text, line: 0 });
    const close = findClose(src, open + 2, file);
    const trimRight = src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '');
    const action = src.slice(open + (trimLeft ? 3 : 2), trimRight ? close - 1 : close).trim();
    out.push({ action, line: src.slice(0, open).split('\n').length });
    i = close + 2;
    if (trimRight) while (i < src.length && /\s/.test(src[i]!)) i++;
  }
  return out;
}

function findClose(src: string, from: number, file: string): number {
  let q: string | null = null;
  for (let i = from; i < src.length; i++) {
    const c = src[i]!;
    if (q) { if (c === '\\' && q === '"') i++; else if (c === q) q = null; continue; }
    if (c === '"' || c === '`') q = c;
    else if (c === '}' && src[i + 1] === '}') return i;
  }
  throw new TemplateError(`${file}: unclosed {{`);
}

// ---- parsing ----
function tokens(s: string, where: string): string[] {
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||:=|=|,|[^\s()|,=]+)/gy;
  const out: string[] = [];
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < s.length && (m = re.exec(s))) out.push(m[1]!);
  if (s.slice(re.lastIndex).trim()) throw new TemplateError(`${where}: cannot parse '${s}'`);
  return out;
}

function parsePipe(src: string, where: string): Pipe {
  const toks = tokens(src, where);
  let pos = 0;
  const decl: string[] = [];
  let assign = false;
  // $a := ... | $a, $b := ... | $a = ...
  const declEnd = toks.findIndex((t) => t === ':=' || t === '=');
  if (declEnd > 0 && toks.slice(0, declEnd).every((t) => t.startsWith('$') || t === ',')) {
    for (const t of toks.slice(0, declEnd)) if (t !== ',') decl.push(t);
    assign = toks[declEnd] === '=';
    pos = declEnd + 1;
  }
  const parseCmds = (stopAtParen: boolean): Arg[][] => {
    const cmds: Arg[][] = [[]];
    while (pos < toks.length) {
      const t = toks[pos++]!;
      if (t === ')') { if (stopAtParen) return cmds; throw new TemplateError(`${where}: unexpected ')'`); }
      if (t === '|') { cmds.push([]); continue; }
      cmds[cmds.length - 1]!.push(parseArg(t));
    }
    if (stopAtParen) throw new TemplateError(`${where}: missing ')'`);
    return cmds;
  };
  const parseArg = (t: string): Arg => {
    if (t === '(') {
      const inner = parseCmds(true);
      let path: string[] = [];
      // (...).field
      if (toks[pos]?.startsWith('.')) path = toks[pos++]!.slice(1).split('.');
      return { k: 'sub', p: { decl: [], assign: false, cmds: inner }, path };
    }
    if (t.startsWith('"')) return { k: 'lit', v: JSON.parse(t) };
    if (t.startsWith('`')) return { k: 'lit', v: t.slice(1, -1) };
    if (/^-?\d+(\.\d+)?$/.test(t)) return { k: 'lit', v: Number(t) };
    if (t === 'true' || t === 'false') return { k: 'lit', v: t === 'true' };
    if (t === 'nil') return { k: 'lit', v: null };
    if (t === '.') return { k: 'field', base: 'dot', path: [] };
    if (t.startsWith('.')) return { k: 'field', base: 'dot', path: t.slice(1).split('.') };
    if (t.startsWith('$')) { const [v, ...path] = t.split('.'); return { k: 'field', base: v!, path }; }
    if (/^[A-Za-z_]\w*$/.test(t)) {
      if (!Object.hasOwn(FUNCS, t) && t !== 'include') throw new TemplateError(`${where}: unsupported function '${t}'`);
      return { k: 'fn', name: t };
    }
    throw new TemplateError(`${where}: unsupported token '${t}'`);
  };
  const cmds = parseCmds(false);
  if (cmds.some((c) => c.length === 0)) throw new TemplateError(`${where}: empty command in '${src}'`);
  return { decl, assign, cmds };
}

function parse(src: string, file: string, defines: Map<string, Node[]>): Node[] {
  const items = lex(src, file);
  let idx = 0;
  // Returns the nodes up to a terminating keyword (end / else ...), and that keyword's action.
  const block = (terminators: RegExp | null): { nodes: Node[]; stop: string | null } => {
    const nodes: Node[] = [];
    while (idx < items.length) {
      const it = items[idx++]!;
      if (it.text !== undefined) { if (it.text) nodes.push({ t: 'text', s: it.text }); continue; }
      const a = it.action!;
      const where = `${file}:${it.line}`;
      if (a.startsWith('/*')) { if (!a.endsWith('*/')) throw new TemplateError(`${where}: bad comment`); continue; }
      const kw = /^(\w+)\b\s*([\s\S]*)$/.exec(a);
      const word = kw?.[1];
      if (word === 'end' || word === 'else') {
        if (!terminators || !terminators.test(a)) throw new TemplateError(`${where}: unexpected {{ ${a} }}`);
        return { nodes, stop: a };
      }
      if (word === 'if') {
        const branches: { p: Pipe; body: Node[] }[] = [];
        let cond = kw![2]!;
        let otherwise: Node[] = [];
        for (;;) {
          const b = block(/^(end|else)\b/);
          branches.push({ p: parsePipe(cond, where), body: b.nodes });
          if (b.stop === null) throw new TemplateError(`${where}: unclosed if`);
          if (b.stop === 'end') break;
          const elif = /^else\s+if\s+([\s\S]+)$/.exec(b.stop);
          if (elif) { cond = elif[1]!; continue; }
          if (b.stop !== 'else') throw new TemplateError(`${where}: unsupported {{ ${b.stop} }}`);
          const e = block(/^end$/);
          if (e.stop === null) throw new TemplateError(`${where}: unclosed if`);
          otherwise = e.nodes;
          break;
        }
        nodes.push({ t: 'if', branches, otherwise });
      } else if (word === 'range' || word === 'with') {
        const p = parsePipe(kw![2]!, where);
        const b = block(/^(end|else)$/);
        if (b.stop === null) throw new TemplateError(`${where}: unclosed ${word}`);
        let otherwise: Node[] = [];
        if (b.stop === 'else') { const e = block(/^end$/); if (e.stop === null) throw new TemplateError(`${where}: unclosed ${word}`); otherwise = e.nodes; }
        if (word === 'range') nodes.push({ t: 'range', vars: p.decl, p: { ...p, decl: [] }, body: b.nodes, otherwise });
        else nodes.push({ t: 'with', p, body: b.nodes, otherwise });
      } else if (word === 'define') {
        const name = JSON.parse(kw![2]!.trim()) as string;
        const b = block(/^end$/);
        if (b.stop === null) throw new TemplateError(`${where}: unclosed define`);
        defines.set(name, b.nodes);
      } else if (word === 'template') {
        const m = /^("(?:[^"\\]|\\.)*")\s*([\s\S]*)$/.exec(kw![2]!);
        if (!m) throw new TemplateError(`${where}: bad template action`);
        nodes.push({ t: 'tmpl', name: JSON.parse(m[1]!), p: m[2]!.trim() ? parsePipe(m[2]!, where) : null });
      } else if (word && ['block', 'break', 'continue', 'tpl'].includes(word)) {
        throw new TemplateError(`${where}: unsupported action '${word}'`);
      } else {
        nodes.push({ t: 'out', p: parsePipe(a, where) });
      }
    }
    return { nodes, stop: null };
  };
  return block(null).nodes;
}

// ---- evaluation ----
type Scope = Map<string, unknown>[];

const truthy = (v: unknown): boolean => {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
};

const str = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') throw new TemplateError(`cannot print a ${Array.isArray(v) ? 'list' : 'map'} directly: use toYaml`);
  return String(v);
};

const indentText = (n: number, s: string) => s.split('\n').map((l) => ' '.repeat(n) + l).join('\n');

const FUNCS: Record<string, (...a: unknown[]) => unknown> = {
  default: (d, v) => (truthy(v) ? v : d),
  empty: (v) => !truthy(v),
  quote: (...a) => a.map((v: unknown) => JSON.stringify(str(v))).join(' '),
  squote: (...a) => a.map((v: unknown) => `'${str(v)}'`).join(' '),
  toYaml: (v) => (v === null || v === undefined ? 'null' : stringify(v, { sortMapEntries: true, lineWidth: 0, indentSeq: false }).replace(/\n$/, '')),
  indent: (n, s) => indentText(n as number, str(s)),
  nindent: (n, s) => '\n' + indentText(n as number, str(s)),
  eq: (a, ...b) => b.some((x) => x === a),
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  gt: (a, b) => (a as number) > (b as number),
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
  not: (v) => !truthy(v),
  printf: (f, ...a) => { let i = 0; return str(f).replace(/%[sdv%]/g, (m) => (m === '%%' ? '%' : str(a[i++]))); },
  trimSuffix: (suffix, s) => (str(s).endsWith(str(suffix)) ? str(s).slice(0, -str(suffix).length) : str(s)),
  trimPrefix: (prefix, s) => (str(s).startsWith(str(prefix)) ? str(s).slice(str(prefix).length) : str(s)),
  trim: (s) => str(s).trim(),
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  toString: (v: unknown) => str(v),
  splitList: (sep, s) => str(s).split(str(sep)),
  join: (sep, l) => (l as unknown[]).map(str).join(str(sep)),
  list: (...a) => a,
  dict: (...a) => { const d: Dict = {}; for (let i = 0; i + 1 < a.length; i += 2) d[str(a[i])] = a[i + 1]; return d; },
  until: (n) => Array.from({ length: n as number }, (_, i) => i),
  len: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : Object.keys(v as Dict).length),
  index: (v, ...k) => k.reduce<unknown>((cur, key) => (cur as Dict | undefined)?.[key as string], v),
  hasKey: (m, k) => Object.hasOwn((m ?? {}) as Dict, str(k)),
  // Go map order is random: sprig's keys is unsorted, so templates sort with sortAlpha.
  keys: (m) => Object.keys(m as Dict),
  sortAlpha: (l) => [...(l as unknown[])].map(str).sort(),
  add: (...a) => a.reduce<number>((x, y) => x + (y as number), 0),
  int: (v) => Math.trunc(Number(v)),
  replace: (o, n, s) => str(s).split(str(o)).join(str(n)),
  has: (x, l) => (l as unknown[]).includes(x),
  contains: (sub, s) => str(s).includes(str(sub)),
  hasPrefix: (p, s) => str(s).startsWith(str(p)),
  fail: (msg) => { throw new TemplateError(`fail: ${str(msg)}`); },
  required: (msg, v) => { if (v === null || v === undefined || v === '') throw new TemplateError(`required: ${str(msg)}`); return v; },
  kindIs: (k, v) => (k === 'slice' ? Array.isArray(v) : k === 'map' ? !!v && typeof v === 'object' && !Array.isArray(v) : k === 'string' ? typeof v === 'string' : false),
};

export interface Chart { defines: Map<string, Node[]>; files: Map<string, Node[]> }

/** Parses every template file (name → text); `_*.tpl` files contribute defines only. */
export function parseChart(files: Record<string, string>): Chart {
  const defines = new Map<string, Node[]>();
  const out = new Map<string, Node[]>();
  for (const [name, text] of Object.entries(files)) out.set(name, parse(text, name, defines));
  return { defines, files: out };
}

export function renderFile(chart: Chart, name: string, root: Dict): string {
  const nodes = chart.files.get(name);
  if (!nodes) throw new TemplateError(`no template ${name}`);
  return exec(chart, nodes, root, root, [new Map([['$', root]])]);
}

function exec(chart: Chart, nodes: Node[], dot: unknown, root: Dict, scope: Scope): string {
  let out = '';
  for (const n of nodes) {
    switch (n.t) {
      case 'text': out += n.s; break;
      case 'out': { const v = pipe(chart, n.p, dot, root, scope); if (!n.p.decl.length) out += str(v); break; }
      case 'if': {
        const inner: Scope = [...scope, new Map()];
        const hit = n.branches.find((b) => truthy(pipe(chart, b.p, dot, root, inner)));
        out += exec(chart, hit ? hit.body : n.otherwise, dot, root, inner);
        break;
      }
      case 'with': {
        const inner: Scope = [...scope, new Map()];
        const v = pipe(chart, n.p, dot, root, inner);
        out += truthy(v) ? exec(chart, n.body, v, root, inner) : exec(chart, n.otherwise, dot, root, inner);
        break;
      }
      case 'range': {
        const v = pipe(chart, n.p, dot, root, scope);
        const entries: [unknown, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x])
          : v && typeof v === 'object' ? Object.keys(v).sort().map((k) => [k, (v as Dict)[k]])
            : v === null || v === undefined ? [] : (() => { throw new TemplateError(`range over ${typeof v}`); })();
        if (!entries.length) { out += exec(chart, n.otherwise, dot, root, scope); break; }
        for (const [k, x] of entries) {
          const vars = new Map<string, unknown>();
          if (n.vars.length === 1) vars.set(n.vars[0]!, x);
          else if (n.vars.length === 2) { vars.set(n.vars[0]!, k); vars.set(n.vars[1]!, x); }
          out += exec(chart, n.body, x, root, [...scope, vars]);
        }
        break;
      }
      case 'tmpl': out += include(chart, n.name, n.p ? pipe(chart, n.p, dot, root, scope) : undefined, root); break;
    }
  }
  return out;
}

function include(chart: Chart, name: string, dot: unknown, root: Dict): string {
  const body = chart.defines.get(name);
  if (!body) throw new TemplateError(`no template defined as "${name}"`);
  return exec(chart, body, dot, root, [new Map([['$', dot]])]);
}

function lookupVar(scope: Scope, name: string): unknown {
  for (let i = scope.length - 1; i >= 0; i--) if (scope[i]!.has(name)) return scope[i]!.get(name);
  throw new TemplateError(`undefined variable ${name}`);
}

function walk(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const [i, k] of path.entries()) {
    // A missing map key is nil; a field of nil is an error in Go ("nil pointer evaluating interface {}.k").
    if (cur === null || cur === undefined) throw new TemplateError(`nil pointer evaluating interface {}.${k}${i ? ` (at ${path.slice(0, i).join('.')})` : ''}`);
    if (typeof cur !== 'object' || Array.isArray(cur)) throw new TemplateError(`can't evaluate field ${k} in ${Array.isArray(cur) ? 'a list' : typeof cur}`);
    cur = (cur as Dict)[k];
  }
  return cur;
}

function pipe(chart: Chart, p: Pipe, dot: unknown, root: Dict, scope: Scope): unknown {
  let v: unknown = undefined;
  p.cmds.forEach((cmd, i) => { v = command(chart, cmd, dot, root, scope, i === 0 ? [] : [v]); });
  if (p.decl.length) {
    if (p.assign) {
      const frame = [...scope].reverse().find((f) => f.has(p.decl[0]!));
      if (!frame) throw new TemplateError(`undefined variable ${p.decl[0]}`);
      frame.set(p.decl[0]!, v);
    } else scope[scope.length - 1]!.set(p.decl[0]!, v);
  }
  return v;
}

function command(chart: Chart, cmd: Arg[], dot: unknown, root: Dict, scope: Scope, piped: unknown[]): unknown {
  const [head, ...rest] = cmd;
  const val = (a: Arg): unknown => {
    switch (a.k) {
      case 'lit': return a.v;
      case 'field': return walk(a.base === 'dot' ? dot : lookupVar(scope, a.base), a.path);
      case 'sub': return walk(pipe(chart, a.p, dot, root, scope), a.path);
      case 'fn': return command(chart, [a], dot, root, scope, []);
    }
  };
  if (head!.k === 'fn') {
    const args = [...rest.map(val), ...piped];
    if (head!.name === 'include') return include(chart, str(args[0]), args[1], root);
    return FUNCS[head!.name]!(...args);
  }
  if (rest.length || piped.length) throw new TemplateError('only a function takes arguments');
  return val(head!);
}
