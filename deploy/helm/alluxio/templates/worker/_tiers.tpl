{{/* The worker's cache directories: one volume per directory of each tieredstore level (a
     comma-separated path gives a level several), or the 3.x page store when there are no levels.
     (dict "root" $ "what" "mounts"|"volumes"|"hostPaths"|"claims") */}}
{{- define "alluxio.cacheDirs" -}}
{{- $root := .root }}
{{- $what := .what }}
{{- range $level := $root.Values.tieredstore.levels }}
{{- $paths := splitList "," (toString $level.path) }}
{{- $media := splitList "," (toString ($level.mediumtype | default "")) }}
{{- $quotas := splitList "," (toString ($level.quota | default "1Gi")) }}
{{- $names := splitList "," (toString ($level.name | default "")) }}
{{- range $i, $path := $paths }}
{{- $vol := printf "tier%v-%v" $level.level $i }}
{{- $quota := index $quotas 0 }}
{{- if lt $i (len $quotas) }}{{ $quota = index $quotas $i }}{{ end }}
{{- $medium := index $media 0 }}
{{- if lt $i (len $media) }}{{ $medium = index $media $i }}{{ end }}
{{- $claim := printf "%s-%s" $root.Release.Name $vol }}
{{- if lt $i (len $names) }}{{ if index $names $i }}{{ $claim = index $names $i }}{{ end }}{{ end }}
{{- if eq $what "mounts" }}
- name: {{ $vol }}
  mountPath: {{ $path }}
{{- else if eq $what "hostPaths" }}
{{- if eq $level.type "hostPath" }}
- {{ $path }}
{{- end }}
{{- else if eq $what "claims" }}
{{- if eq $level.type "persistentVolumeClaim" }}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ $claim }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "alluxio.labels" (dict "root" $root "component" "worker") | nindent 4 }}
spec:
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: {{ trimSuffix "B" $quota }}
{{- end }}
{{- else }}
- name: {{ $vol }}
{{- if eq $level.type "hostPath" }}
  hostPath:
    path: {{ $path }}
    type: DirectoryOrCreate
{{- else if eq $level.type "persistentVolumeClaim" }}
  persistentVolumeClaim:
    claimName: {{ $claim }}
{{- else }}
  emptyDir:
    {{- if eq (upper $medium) "MEM" }}
    medium: Memory
    {{- end }}
    sizeLimit: {{ trimSuffix "B" $quota }}
{{- end }}
{{- end }}
{{- end }}
{{- else }}
{{- if eq $what "mounts" }}
- name: pagestore
  mountPath: /mnt/alluxio/pagestore
{{- else if eq $what "hostPaths" }}
{{- if eq $root.Values.pagestore.type "hostPath" }}
- /mnt/alluxio/pagestore
{{- end }}
{{- else if eq $what "volumes" }}
- name: pagestore
{{- if eq $root.Values.pagestore.type "hostPath" }}
  hostPath:
    path: {{ $root.Values.pagestore.hostPath | default (printf "/mnt/alluxio/%s/%s/pagestore" $root.Release.Namespace $root.Release.Name) }}
    type: DirectoryOrCreate
{{- else }}
  emptyDir:
    sizeLimit: {{ $root.Values.pagestore.size }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
