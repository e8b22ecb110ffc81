{{/* Names and pieces shared by the templates. The pod specs follow src/operator/builders/ (the test
     test/helm2x/drift.test.ts compares them). */}}

{{- define "alluxio.fullname" -}}
{{ .Release.Name }}
{{- end }}

{{/* Labels of an object: (dict "root" $ "component" "worker"). */}}
{{- define "alluxio.labels" -}}
app: alluxio
app.kubernetes.io/name: alluxio
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/managed-by: Helm
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{- end }}

{{- define "alluxio.selectorLabels" -}}
app.kubernetes.io/name: alluxio
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "alluxio.image" -}}
{{ .Values.image }}:{{ .Values.imageTag }}
{{- end }}

{{- define "alluxio.etcdReplicas" -}}
{{ .Values.etcd.replicaCount | default .Values.master.count }}
{{- end }}

{{- define "alluxio.etcdEndpoints" -}}
http://{{ .Release.Name }}-etcd.{{ .Release.Namespace }}:{{ .Values.etcd.ports.client }}
{{- end }}

{{/* The restricted securityContext of every container but FUSE (builders/hardening.ts). */}}
{{- define "alluxio.containerSecurity" -}}
allowPrivilegeEscalation: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
readOnlyRootFilesystem: true
{{- end }}

{{- define "alluxio.podSecurity" -}}
runAsUser: {{ .Values.user }}
runAsGroup: {{ .Values.group }}
fsGroup: {{ .Values.fsGroup }}
runAsNonRoot: true
{{- end }}

{{/* Environment of the Alluxio processes (builders/pod.ts alluxioEnv), plus env: NAME: value. */}}
{{- define "alluxio.env" -}}
- name: ALLUXIO_CONF_DIR
  value: /opt/alluxio/conf
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
{{- range $k, $v := . }}
- name: {{ $k }}
  value: {{ $v | quote }}
{{- end }}
{{- end }}

{{/* Volume mounts every Alluxio process has: configuration, and with security.enabled the two Secrets. */}}
{{- define "alluxio.baseMounts" -}}
- name: alluxio-conf
  mountPath: /opt/alluxio/conf
  readOnly: true
{{- if .Values.security.enabled }}
- name: mount-credentials-key
  mountPath: /etc/alluxio/mount-credentials
  readOnly: true
- name: s3-credentials
  mountPath: /etc/alluxio/s3-credentials
  readOnly: true
{{- end }}
{{- end }}

{{/* (dict "root" $ "items" (list "credentials" "token")) */}}
{{- define "alluxio.baseVolumes" -}}
- name: alluxio-conf
  configMap:
    name: {{ .root.Release.Name }}-config
{{- if .root.Values.security.enabled }}
- name: mount-credentials-key
  secret:
    secretName: {{ .root.Release.Name }}-mount-credentials-key
    defaultMode: 256
    items:
      - key: key
        path: key
- name: s3-credentials
  secret:
    secretName: {{ .root.Release.Name }}-s3-credentials
    defaultMode: 256
    items:
    {{- range .items }}
      - key: {{ . }}
        path: {{ . }}
    {{- end }}
{{- end }}
{{- end }}

{{/* secrets.master|worker: <secret>: <dir> mounted at /secrets/<dir>, as 2.x does. */}}
{{- define "alluxio.secretMounts" -}}
{{- range $secret, $dir := . }}
- name: secret-{{ $secret }}
  mountPath: /secrets/{{ $dir }}
  readOnly: true
{{- end }}
{{- end }}

{{- define "alluxio.secretVolumes" -}}
{{- range $secret, $dir := . }}
- name: secret-{{ $secret }}
  secret:
    secretName: {{ $secret }}
    defaultMode: 256
{{- end }}
{{- end }}

{{/* Scheduling and networking of a pod: (dict "c" .Values.worker). */}}
{{- define "alluxio.placement" -}}
{{- if .hostNetwork }}
hostNetwork: true
dnsPolicy: ClusterFirstWithHostNet
{{- end }}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The wait-etcd init container (builders/pod.ts waitForEtcd). */}}
{{- define "alluxio.waitEtcd" -}}
- name: wait-etcd
  image: {{ include "alluxio.image" . }}
  imagePullPolicy: {{ .Values.imagePullPolicy }}
  command:
    - node
    - -e
    - const ep=process.argv[1].split(',').map(u=>new URL(u));const net=require('net');const tryOne=()=>{const e=ep[Math.floor(Math.random()*ep.length)];const s=net.connect(Number(e.port||2379),e.hostname);s.setTimeout(2000);s.on('connect',()=>process.exit(0));const retry=()=>{s.destroy();console.log('waiting for etcd at '+e.host);setTimeout(tryOne,2000)};s.on('error',retry);s.on('timeout',retry)};tryOne();
    - {{ include "alluxio.etcdEndpoints" . }}
  resources:
    requests:
      cpu: 10m
      memory: 64Mi
  securityContext:
    {{- include "alluxio.containerSecurity" . | nindent 4 }}
  terminationMessagePolicy: FallbackToLogsOnError
{{- end }}

{{/* ALLUXIO_JAVA_OPTS of a pod: first, then 2.x's per-component properties (master.properties,
     worker.properties) as -Dkey='value': (dict "first" "-D..." "props" .Values.worker.properties). */}}
{{- define "alluxio.javaOpts" -}}
{{ .first }}{{ range $k, $v := .props }} -D{{ $k }}={{ $v | squote }}{{ end }}
{{- end }}
