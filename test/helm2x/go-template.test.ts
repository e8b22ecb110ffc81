// The test renderer for deploy/helm/alluxio implements Go text/template + sprig semantics for the
// constructs the chart uses, and refuses the rest (so the chart cannot come to depend on something
// it would render differently from `helm template`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChart, renderFile } from './support/go-template.js';

const render = (text: string, values: Record<string, unknown> = {}, defs = '') =>
  renderFile(parseChart({ '_h.tpl': defs, 't.yaml': text }), 't.yaml', { Values: values, Release: { Name: 'r', Namespace: 'ns' } });

test('Go template semantics: trimming, truthiness, else-if, range over lists and maps (sorted), variables, with', () => {
  assert.equal(render('a  {{- " b" -}}  \n c'), 'a bc');
  assert.equal(render('{{ if .Values.x }}y{{ else if .Values.z }}z{{ else }}n{{ end }}', { x: [], z: {} }), 'n');
  assert.equal(render('{{ if .Values.x }}y{{ else if .Values.z }}z{{ end }}', { x: 0, z: 'a' }), 'z');
  assert.equal(render('{{ range $i, $v := .Values.l }}{{ $i }}={{ $v }};{{ end }}', { l: ['a', 'b'] }), '0=a;1=b;');
  assert.equal(render('{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}', { m: { b: 2, a: 1 } }), 'a=1;b=2;');
  assert.equal(render('{{ range .Values.l }}{{ . }}{{ else }}empty{{ end }}', { l: [] }), 'empty');
  assert.equal(render('{{ $a := "x" }}{{ if true }}{{ $a = "y" }}{{ end }}{{ $a }}'), 'y');
  assert.equal(render('{{ with .Values.m }}{{ .k }}{{ end }}|{{ $.Release.Name }}', { m: { k: 'v' } }), 'v|r');
  assert.equal(render('{{ .Values.missing }}'), '');
  assert.throws(() => render('{{ .Values.missing.deeper }}'), /nil pointer evaluating interface \{\}\.deeper/);
});

test('sprig functions the chart uses behave as sprig documents them', () => {
  assert.equal(render('{{ .Values.a | default "d" }}{{ .Values.b | default "d" }}', { a: '', b: 'x' }), 'dx');
  assert.equal(render('{{ .Values.m | toYaml | nindent 2 }}', { m: { b: 1, a: [1, 2] } }), '\n  a:\n  - 1\n  - 2\n  b: 1');
  assert.equal(render('{{ "a\\nb" | indent 2 }}'), '  a\n  b');
  assert.equal(render('{{ .Values.s | quote }}', { s: 'x"y' }), '"x\\"y"');
  assert.equal(render('{{ and 1 0 }} {{ or 0 "b" }} {{ not "" }} {{ eq 1 2 1 }} {{ ne "a" "b" }}'), '0 b true true true');
  assert.equal(render('{{ trimSuffix "B" "10GB" }} {{ splitList "," "a,b" | len }} {{ join "-" (list 1 2) }} {{ printf "%s:%v" "a" 3 }}'), '10G 2 1-2 a:3');
  assert.equal(render('{{ range until 3 }}{{ . }}{{ end }} {{ int "4" }} {{ hasKey (dict "k" 1) "k" }} {{ has "x" (list "x") }}'), '012 4 true true');
  assert.equal(render('{{ include "n" (dict "a" "A") }}', {}, '{{- define "n" -}}[{{ .a }}]{{- end }}'), '[A]');
  assert.equal(render('{{ template "n" (dict "a" "B") }}', {}, '{{- define "n" -}}[{{ .a }}]{{- end }}'), '[B]');
});

test('anything outside the subset is refused with its name', () => {
  assert.throws(() => render('{{ .Values.x | b64enc }}'), /unsupported function 'b64enc'/);
  assert.throws(() => render('{{ lookup "v1" "Secret" "ns" "n" }}'), /unsupported function 'lookup'/);
  assert.throws(() => render('{{ tpl "x" . }}'), /unsupported action 'tpl'/);
  assert.throws(() => render('{{ block "x" . }}{{ end }}'), /unsupported action 'block'/);
  assert.throws(() => render('{{ if .Values.x }}'), /unclosed if/);
  assert.throws(() => render('{{ end }}'), /unexpected/);
  assert.throws(() => render('{{ .Values.m }}', { m: { a: 1 } }), /use toYaml/);
  assert.throws(() => render('{{ include "nope" . }}'), /no template defined as "nope"/);
  assert.throws(() => render('{{ $undefined }}'), /undefined variable/);
});
