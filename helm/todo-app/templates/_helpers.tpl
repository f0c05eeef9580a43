{{/*
Names and labels. Every object name starts with the release's fullname, so
two releases can live side by side in one namespace.
*/}}
{{- define "todo-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "todo-app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "todo-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* A component's object name: <fullname>-<component>, kept under 63 characters. */}}
{{- define "todo-app.componentName" -}}
{{- $full := include "todo-app.fullname" .root | trunc (int (sub 62 (len .component))) | trimSuffix "-" }}
{{- printf "%s-%s" $full .component }}
{{- end }}

{{- define "todo-app.labels" -}}
helm.sh/chart: {{ include "todo-app.chart" . }}
{{ include "todo-app.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "todo-app.name" . }}
{{- end }}

{{- define "todo-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component: call with (dict "root" $ "component" "backend"). */}}
{{- define "todo-app.componentLabels" -}}
{{ include "todo-app.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "todo-app.componentSelectorLabels" -}}
{{ include "todo-app.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "todo-app.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "todo-app.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* image: repository@digest when a digest is set, else repository:tag (tag defaults to appVersion). */}}
{{- define "todo-app.image" -}}
{{- $img := .image }}
{{- if $img.digest }}
{{- printf "%s@%s" $img.repository $img.digest }}
{{- else }}
{{- $tag := default .root.Chart.AppVersion $img.tag | toString }}
{{- if eq (lower $tag) "latest" }}
{{- fail (printf "%s.image.tag must not be latest: pin a version or set %s.image.digest" .component .component) }}
{{- end }}
{{- printf "%s:%s" $img.repository $tag }}
{{- end }}
{{- end }}

{{/* Secret holding what the chart generates (Better Auth secret, PostgreSQL password, its DATABASE_URL). */}}
{{- define "todo-app.generatedSecretName" -}}
{{- include "todo-app.componentName" (dict "root" . "component" "secrets") }}
{{- end }}

{{- define "todo-app.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}{{ .Values.database.existingSecret }}{{ else }}{{ include "todo-app.generatedSecretName" . }}{{ end }}
{{- end }}

{{- define "todo-app.databaseSecretKey" -}}
{{- if .Values.database.existingSecret }}{{ .Values.database.existingSecretKey }}{{ else }}DATABASE_URL{{ end }}
{{- end }}

{{- define "todo-app.authSecretName" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecret }}{{ else }}{{ include "todo-app.generatedSecretName" . }}{{ end }}
{{- end }}

{{- define "todo-app.authSecretKey" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecretKey }}{{ else }}BETTER_AUTH_SECRET{{ end }}
{{- end }}

{{/* Fails early, with the fix, on combinations that cannot work. */}}
{{- define "todo-app.validate" -}}
{{- if and .Values.postgresql.enabled .Values.database.existingSecret }}
{{- fail "postgresql.enabled and database.existingSecret are both set: use the in-cluster PostgreSQL (clear database.existingSecret) or an external database (set postgresql.enabled=false)" }}
{{- end }}
{{- if and (not .Values.postgresql.enabled) (not .Values.database.existingSecret) }}
{{- fail "no database: set postgresql.enabled=true for an in-cluster PostgreSQL, or database.existingSecret to a Secret holding DATABASE_URL (see values-external-db.yaml)" }}
{{- end }}
{{- if and .Values.ingress.enabled .Values.ingress.tls.enabled (not .Values.ingress.tls.secretName) }}
{{- fail "ingress.tls.enabled needs ingress.tls.secretName (a kubernetes.io/tls Secret)" }}
{{- end }}
{{- if and .Values.frontend.service.nodePort (ne .Values.frontend.service.type "NodePort") }}
{{- fail "frontend.service.nodePort is set but frontend.service.type is not NodePort" }}
{{- end }}
{{- end }}

{{- define "todo-app.backendUrl" -}}
{{- printf "http://%s:%d" (include "todo-app.componentName" (dict "root" . "component" "backend")) (int .Values.backend.port) }}
{{- end }}

{{- define "todo-app.frontendUrl" -}}
{{- printf "http://%s:%d" (include "todo-app.componentName" (dict "root" . "component" "frontend")) (int .Values.frontend.port) }}
{{- end }}

{{- define "todo-app.publicUrl" -}}
{{- if .Values.frontend.publicUrl }}
{{- .Values.frontend.publicUrl | trimSuffix "/" }}
{{- else if .Values.ingress.enabled }}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host }}
{{- else }}
{{- printf "http://localhost:%d" (int .Values.frontend.port) }}
{{- end }}
{{- end }}

{{/* Scheme and host of the public URL: what Better Auth uses as JWT issuer and default audience. */}}
{{- define "todo-app.publicOrigin" -}}
{{- regexFind "^https?://[^/]+" (include "todo-app.publicUrl" .) }}
{{- end }}

{{/* Restricted pod-level security context: (dict "uid" … "gid" …). */}}
{{- define "todo-app.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .gid }}
fsGroup: {{ .gid }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Restricted container-level security context: (dict "uid" … "gid" …). */}}
{{- define "todo-app.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .gid }}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Preferred spreading of a component's pods across nodes, unless affinity is given. */}}
{{- define "todo-app.scheduling" -}}
{{- $c := index .root.Values .component }}
{{- with $c.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if $c.affinity }}
affinity:
  {{- toYaml $c.affinity | nindent 2 }}
{{- else }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "todo-app.componentSelectorLabels" . | nindent 14 }}
{{- end }}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "todo-app.componentSelectorLabels" . | nindent 8 }}
{{- end }}

{{/* emptyDir volumes for a component's writable paths, and their mounts. */}}
{{- define "todo-app.writableVolumes" -}}
{{- range $i, $p := .paths }}
- name: writable-{{ $i }}
  emptyDir:
    sizeLimit: 256Mi
{{- end }}
{{- end }}

{{- define "todo-app.writableMounts" -}}
{{- range $i, $p := .paths }}
- name: writable-{{ $i }}
  mountPath: {{ $p }}
{{- end }}
{{- end }}

{{/* Replicas a component runs with at least (for the PDB decision). */}}
{{- define "todo-app.minReplicas" -}}
{{- if .autoscaling.enabled }}{{ .autoscaling.minReplicas }}{{ else }}{{ .replicaCount }}{{ end }}
{{- end }}

{{/* NetworkPolicy egress rules shared by several policies. */}}
{{- define "todo-app.np.dnsEgress" -}}
- to:
    - namespaceSelector:
        {{- toYaml .Values.networkPolicy.dns.namespaceSelector | nindent 8 }}
      podSelector:
        {{- toYaml .Values.networkPolicy.dns.podSelector | nindent 8 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}
{{- define "todo-app.np.dbEgress" -}}
{{- if .Values.postgresql.enabled }}
- to:
    - podSelector:
        matchLabels:
          {{- include "todo-app.componentSelectorLabels" (dict "root" . "component" "postgresql") | nindent 10 }}
  ports:
    - port: {{ .Values.postgresql.port }}
      protocol: TCP
{{- else }}
- to:
    - ipBlock:
        cidr: {{ .Values.networkPolicy.externalDatabase.cidr }}
  ports:
    - port: {{ .Values.networkPolicy.externalDatabase.port }}
      protocol: TCP
{{- end }}
{{- end }}

{{/* Port the backend's LLM egress allows: networkPolicy.llm.port, else the one in backend.llm.baseUrl. */}}
{{- define "todo-app.llmPort" -}}
{{- if .Values.networkPolicy.llm.port }}
{{- .Values.networkPolicy.llm.port }}
{{- else }}
{{- $u := urlParse .Values.backend.llm.baseUrl }}
{{- $hostPort := splitList ":" $u.host }}
{{- if gt (len $hostPort) 1 }}
{{- last $hostPort }}
{{- else if eq $u.scheme "http" }}80{{ else }}443{{ end }}
{{- end }}
{{- end }}
