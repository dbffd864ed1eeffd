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

{{/* Selector of a member-side component (gateway, proxy): distinct from the silos' selector. */}}
{{- define "erie-canal-orleans.componentSelector" -}}
app.kubernetes.io/name: erie-canal-orleans-{{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "erie-canal-orleans.componentLabels" -}}
{{ include "erie-canal-orleans.componentSelector" . }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: erie-canal-orleans
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{- end -}}

{{/* One data-plane Deployment and its Service: the same image, started as the gateway or the proxy. */}}
{{- define "erie-canal-orleans.dataPlane" -}}
{{- $root := .root -}}
{{- $values := .values -}}
{{- $name := printf "%s-%s" (include "erie-canal-orleans.name" $root) .component -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "erie-canal-orleans.componentLabels" . | nindent 4 }}
spec:
  replicas: {{ $values.replicas }}
  selector:
    matchLabels:
      {{- include "erie-canal-orleans.componentSelector" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "erie-canal-orleans.componentLabels" . | nindent 8 }}
    spec:
      serviceAccountName: {{ include "erie-canal-orleans.name" $root }}-dataplane
      containers:
        - name: {{ .component }}
          image: "{{ $root.Values.image.repository }}:{{ $root.Values.image.tag }}"
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          command: ["dotnet", "ErieCanal.Orleans.DataPlane.dll"]
          args: [{{ .component | quote }}]
          ports:
            - name: http
              containerPort: {{ $values.containerPort }}
          env:
            - name: DataPlane__Listen
              value: "http://0.0.0.0:{{ $values.containerPort }}"
            - name: DataPlane__IngressClass
              value: {{ $root.Values.member.ingressClass | quote }}
            - name: DataPlane__ClusterKey
              value: {{ required "member.clusterKey is required when member.enabled (the member's clusterKey, e.g. default/default/default/cluster-1)" $root.Values.member.clusterKey | quote }}
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
          resources:
            {{- toYaml $values.resources | nindent 12 }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "erie-canal-orleans.componentLabels" . | nindent 4 }}
spec:
  type: {{ $values.service.type }}
  selector:
    {{- include "erie-canal-orleans.componentSelector" . | nindent 4 }}
  ports:
    - name: http
      port: {{ $values.service.port }}
      targetPort: http
{{- end -}}
