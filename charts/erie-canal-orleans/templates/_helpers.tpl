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
      {{- include "erie-canal-orleans.podSpecCommon" $root | trim | nindent 6 }}
      {{- if dig "spread" "enabled" true $values }}
      # Replicas on different nodes where possible: a node's loss or drain takes one of them, not all.
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: {{ dig "spread" "topologyKey" "kubernetes.io/hostname" $values }}
          whenUnsatisfiable: {{ dig "spread" "whenUnsatisfiable" "ScheduleAnyway" $values }}
          labelSelector:
            matchLabels:
              {{- include "erie-canal-orleans.componentSelector" . | nindent 14 }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "erie-canal-orleans.image" $root | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          # The image's entry point is the silo; the data plane is the other program in it.
          command: ["dotnet", "/app/dataplane/ErieCanal.Orleans.DataPlane.dll"]
          args: [{{ .component | quote }}]
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ $values.containerPort }}
          env:
            {{- include "erie-canal-orleans.podIpEnv" $root | nindent 12 }}
            - name: DataPlane__Listen
              value: {{ include "erie-canal-orleans.listenUrl" (dict "root" $root "port" $values.containerPort) | quote }}
            - name: DataPlane__IngressClass
              value: {{ $root.Values.member.ingressClass | quote }}
            - name: DataPlane__ClusterKey
              value: {{ required "member.clusterKey is required when member.enabled (the member's clusterKey, e.g. default/default/default/cluster-1)" $root.Values.member.clusterKey | quote }}
            {{- if eq .component "proxy" }}
            {{- $listeners := include "erie-canal-orleans.proxyListenerPorts" $values | fromYaml }}
            # The range of the per-port TCP listeners of proxy-fronted Services (member.proxy.listenerPorts).
            - name: DataPlane__ListenerFirstPort
              value: {{ $listeners.first | quote }}
            - name: DataPlane__ListenerLastPort
              value: {{ $listeners.last | quote }}
            {{- end }}
          volumeMounts:
            {{- include "erie-canal-orleans.tmpMount" $root | nindent 12 }}
          # Ready once its informers have synced (it routes by what they hold); alive while it answers.
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
          resources:
            {{- toYaml $values.resources | nindent 12 }}
      volumes:
        {{- include "erie-canal-orleans.tmpVolume" $root | nindent 8 }}
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
{{- if dig "podDisruptionBudget" "enabled" true $values }}
---
# Node drains evict at most maxUnavailable of its pods at once; the others keep serving.
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "erie-canal-orleans.componentLabels" . | nindent 4 }}
spec:
  maxUnavailable: {{ dig "podDisruptionBudget" "maxUnavailable" 1 $values }}
  selector:
    matchLabels:
      {{- include "erie-canal-orleans.componentSelector" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/*
The proxy's listener port range (member.proxy.listenerPorts, given the proxy's values) as YAML {first, last}, checked:
first <= last, both within 1024-65535, the HTTP containerPort outside it.
*/}}
{{- define "erie-canal-orleans.proxyListenerPorts" -}}
{{- $first := dig "listenerPorts" "first" 20000 . | int -}}
{{- $last := dig "listenerPorts" "last" 29999 . | int -}}
{{- if or (lt $first 1024) (gt $first 65535) (lt $last 1024) (gt $last 65535) -}}
{{- fail (printf "member.proxy.listenerPorts must lie within 1024-65535 (first %d, last %d): TCP ports end at 65535, and the proxy runs as non-root, which cannot bind below 1024" $first $last) -}}
{{- end -}}
{{- if gt $first $last -}}
{{- fail (printf "member.proxy.listenerPorts.first (%d) must not be above member.proxy.listenerPorts.last (%d)" $first $last) -}}
{{- end -}}
{{- $http := .containerPort | int -}}
{{- if and (ge $http $first) (le $http $last) -}}
{{- fail (printf "member.proxy.containerPort (%d) lies in member.proxy.listenerPorts (%d-%d): the HTTP listener and the TCP listeners would collide" $http $first $last) -}}
{{- end -}}
first: {{ $first }}
last: {{ $last }}
{{- end -}}

{{/* The one image of the silos, the gateway and the proxy; the tag defaults to the chart's appVersion. */}}
{{- define "erie-canal-orleans.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* "http://<listenAddress>:<port>": the kubelet expands $(POD_IP) in env values. */}}
{{- define "erie-canal-orleans.listenUrl" -}}
http://{{ .root.Values.listenAddress }}:{{ .port }}
{{- end -}}

{{/* Pod-level settings shared by the silos, the gateway and the proxy. */}}
{{- define "erie-canal-orleans.podSpecCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The pod's own address, from the downward API; listeners bind it through $(POD_IP). */}}
{{- define "erie-canal-orleans.podIpEnv" -}}
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
{{- end -}}

{{/* The writable /tmp of a read-only root. */}}
{{- define "erie-canal-orleans.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "erie-canal-orleans.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}
