{{/* gitwave.name is the chart's name, or nameOverride. */}}
{{- define "gitwave.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* gitwave.fullname names every object of the release. */}}
{{- define "gitwave.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "gitwave.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "gitwave.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "gitwave.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gitwave.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "gitwave.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "gitwave.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "gitwave.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gitwave.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* gitwave.driver is config.state.driver, sqlite when unset. */}}
{{- define "gitwave.driver" -}}
{{- $state := .Values.config.state | default dict }}
{{- $state.driver | default "sqlite" }}
{{- end }}

{{/* gitwave.validate refuses values that cannot run. */}}
{{- define "gitwave.validate" -}}
{{- $driver := include "gitwave.driver" . }}
{{- if and (gt (int .Values.replicaCount) 1) (ne $driver "postgres") }}
{{- fail (printf "replicaCount %d needs config.state.driver: postgres; SQLite is one file on one volume and serves one replica" (int .Values.replicaCount)) }}
{{- end }}
{{- if and (ne $driver "sqlite") (ne $driver "postgres") }}
{{- fail (printf "config.state.driver %q: want sqlite or postgres" $driver) }}
{{- end }}
{{- if and (eq $driver "sqlite") (not .Values.persistence.enabled) }}
{{- fail "config.state.driver sqlite needs persistence.enabled: the database would be lost with the pod" }}
{{- end }}
{{- end }}

{{/*
gitwave.uiPort is the port of config.ui.listen (":8081" gives 8081), or
nothing when the status page is off.
*/}}
{{- define "gitwave.uiPort" -}}
{{- with (dig "ui" "listen" "" .Values.config) -}}
{{- regexReplaceAll "^.*:" . "" -}}
{{- end -}}
{{- end -}}
