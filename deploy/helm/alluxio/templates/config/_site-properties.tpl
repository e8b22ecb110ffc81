{{/* One line of alluxio-site.properties, unless properties sets the key (properties win, as the
     operator's spec.properties do): (dict "user" .Values.properties "k" key "v" value). */}}
{{- define "alluxio.prop" }}
{{- if not (hasKey .user .k) }}
{{ .k }}={{ .v }}
{{- end }}
{{- end }}

{{/* alluxio-site.properties: what the chart sets (the keys of builders/config-map.ts
     operatorProperties, then the 2.x tiered store and short-circuit), then properties. */}}
{{- define "alluxio.siteProperties" -}}
{{- $u := .Values.properties | default (dict) -}}
{{- $name := .Release.Name -}}
# Written by the alluxio chart for release {{ .Release.Namespace }}/{{ .Release.Name }}.
# Set by the chart:
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.cluster.name" "v" (printf "%s-%s" .Release.Namespace $name)) }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.etcd.endpoints" "v" (include "alluxio.etcdEndpoints" .)) }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.membership.manager.type" "v" "ETCD") }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.mount.table.source" "v" "ETCD") }}
{{- if .Values.security.enabled }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.mount.credentials.encryption.key.file" "v" "/etc/alluxio/mount-credentials/key") }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.s3.auth.enabled" "v" "true") }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.s3.auth.credentials.file" "v" "/etc/alluxio/s3-credentials/credentials") }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.user.auth.token.file" "v" "/etc/alluxio/s3-credentials/token") }}
{{- end }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.coordinator.hostname" "v" (printf "%s-master-0.%s-master-headless.%s.svc" $name $name .Release.Namespace)) }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.coordinator.rpc.port" "v" .Values.master.ports.rpc) }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.coordinator.web.port" "v" .Values.master.ports.web) }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.http.server.port" "v" .Values.worker.ports.http) }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.rest.port" "v" .Values.worker.ports.s3) }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.web.port" "v" .Values.worker.ports.web) }}
{{- if .Values.tieredstore.levels }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.page.store.page.size" "v" .Values.pagestore.pageSize) }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.tieredstore.levels" "v" (len .Values.tieredstore.levels)) }}
{{- range .Values.tieredstore.levels }}
{{- $key := printf "alluxio.worker.tieredstore.level%v." .level }}
{{- include "alluxio.prop" (dict "user" $u "k" (printf "%salias" $key) "v" (include "alluxio.tierAlias" .)) }}
{{- include "alluxio.prop" (dict "user" $u "k" (printf "%sdirs.path" $key) "v" .path) }}
{{- include "alluxio.prop" (dict "user" $u "k" (printf "%sdirs.quota" $key) "v" (.quota | default "1Gi")) }}
{{- include "alluxio.prop" (dict "user" $u "k" (printf "%sdirs.mediumtype" $key) "v" (.mediumtype | default (include "alluxio.tierAlias" .))) }}
{{- if .high }}
{{- include "alluxio.prop" (dict "user" $u "k" (printf "%swatermark.high.ratio" $key) "v" .high) }}
{{- end }}
{{- if .low }}
{{- include "alluxio.prop" (dict "user" $u "k" (printf "%swatermark.low.ratio" $key) "v" .low) }}
{{- end }}
{{- end }}
{{- else }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.page.store.type" "v" "LOCAL") }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.page.store.page.size" "v" .Values.pagestore.pageSize) }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.page.store.dirs" "v" "/mnt/alluxio/pagestore") }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.page.store.sizes" "v" .Values.pagestore.size) }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.page.store.reserved.size" "v" .Values.pagestore.reservedSize) }}
{{- end }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.identity.uuid.file.path" "v" "/mnt/alluxio/system-info/worker_identity") }}
{{- if .Values.shortCircuit.enabled }}
{{- if eq .Values.shortCircuit.policy "local" }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.data.server.domain.socket.address" "v" "/opt/domain/worker.sock") }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.data.server.domain.socket.as.uuid" "v" "false") }}
{{- else }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.data.server.domain.socket.address" "v" "/opt/domain") }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.worker.data.server.domain.socket.as.uuid" "v" "true") }}
{{- end }}
{{- else }}
{{- include "alluxio.prop" (dict "user" $u "k" "alluxio.user.short.circuit.enabled" "v" "false") }}
{{- end }}
{{- if $u }}
# From properties:
{{- range $k, $v := $u }}
{{- $opt := "alluxio.master.mount.table.root.option." }}
{{- if hasPrefix $opt $k }}
{{- /* 2.x root mount options are properties of the root mount here: the key without the prefix. */}}
{{- if not (hasKey $u (trimPrefix $opt $k)) }}
{{ trimPrefix $opt $k }}={{ $v }}
{{- end }}
{{- else }}
{{ $k }}={{ $v }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* A tier level's alias: alias, else MEM or HDD when mediumtype is only that, else SSD (a level
     with several media keeps page files in all its directories). */}}
{{- define "alluxio.tierAlias" -}}
{{- if .alias }}{{ .alias }}
{{- else if eq (toString .mediumtype) "MEM" }}MEM
{{- else if eq (toString .mediumtype) "HDD" }}HDD
{{- else }}SSD
{{- end }}
{{- end }}
