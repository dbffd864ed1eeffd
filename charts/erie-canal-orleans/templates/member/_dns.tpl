{{/*
The member DNS settings: member.dns from values over these defaults, so a values file without a dns block still
renders. Keys: enabled (false), replicas (2), containerPort (5353, UDP and TCP), probePort (8080, /healthz and
/readyz), listen (the DNS bind address in the pod), ttl (seconds), service.clusterIP (empty: allocated; set it to
give CoreDNS a fixed forward target), resources.
*/}}
{{- define "erie-canal-orleans.dns" -}}
{{- $defaults := dict
  "enabled" false
  "replicas" 2
  "containerPort" 5353
  "probePort" 8080
  "listen" "0.0.0.0"
  "ttl" 5
  "service" (dict "clusterIP" "")
  "resources" (dict "requests" (dict "cpu" "50m" "memory" "64Mi"))
-}}
{{- toYaml (mergeOverwrite $defaults (deepCopy (.Values.member.dns | default dict))) -}}
{{- end -}}

{{/* The ClusterIP of the DNS Service: the configured one, else the live one (helm install/upgrade), else a placeholder. */}}
{{- define "erie-canal-orleans.dnsClusterIP" -}}
{{- $dns := include "erie-canal-orleans.dns" . | fromYaml -}}
{{- $name := printf "%s-dns" (include "erie-canal-orleans.name" .) -}}
{{- $live := lookup "v1" "Service" .Release.Namespace $name -}}
{{- if $dns.service.clusterIP -}}
{{ $dns.service.clusterIP }}
{{- else if and $live $live.spec $live.spec.clusterIP -}}
{{ $live.spec.clusterIP }}
{{- else -}}
<{{ $name }} ClusterIP>
{{- end -}}
{{- end -}}
