{{- define "erie-canal-orleans.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "erie-canal-orleans.labels" -}}
app.kubernetes.io/name: erie-canal-orleans
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "erie-canal-orleans.selector" -}}
app.kubernetes.io/name: erie-canal-orleans
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
