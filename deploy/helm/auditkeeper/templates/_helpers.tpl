{{/*
Selector labels of a service: the same as deploy/k8s, so that the NetworkPolicies, the PDBs and the alert rules
select the same pods. Argument: the service name (ingest, stream-processor, archiver).
*/}}
{{- define "auditkeeper.selectorLabels" -}}
app.kubernetes.io/name: {{ . }}
app.kubernetes.io/part-of: auditkeeper
{{- end }}

{{/* Labels of every resource of a service. Arguments: (list $ "ingest"). */}}
{{- define "auditkeeper.labels" -}}
{{- $root := index . 0 -}}
{{ include "auditkeeper.selectorLabels" (index . 1) }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ $root.Chart.Name }}-{{ $root.Chart.Version }}
{{- end }}

{{/* Image of a service: registry/name:tag, or @digest when one is given. Arguments: (list $ "ingest" .Values.ingest.image). */}}
{{- define "auditkeeper.image" -}}
{{- $root := index . 0 -}}
{{- $image := index . 2 -}}
{{- $repository := $image.repository | default (printf "%s/%s" $root.Values.image.registry (index . 1)) -}}
{{- if $image.digest -}}
{{ $repository }}@{{ $image.digest }}
{{- else -}}
{{ $repository }}:{{ $image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion }}
{{- end -}}
{{- end }}

{{/*
Environment entries from a map of name to value, in name order; a null value leaves the variable out. Whole numbers
are written as integers (values files give Helm float64s, which would print as 6.048e+08).
*/}}
{{- define "auditkeeper.env" -}}
{{- range $name, $value := . }}
{{- if not (kindIs "invalid" $value) }}
{{- if and (kindIs "float64" $value) (eq $value (floor $value)) }}{{ $value = int64 $value }}{{ end }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The Kafka client settings every service shares, as a map. Arguments: (list $ "AUDITKEEPER_INGEST_").
*/}}
{{- define "auditkeeper.kafkaEnv" -}}
{{- $root := index . 0 -}}
{{- $p := index . 1 -}}
{{- $k := $root.Values.kafka -}}
{{- $env := dict (printf "%sKAFKA_BOOTSTRAP_SERVERS" $p) $k.bootstrapServers
                 (printf "%sKAFKA_CLIENT_SECURITY_PROTOCOL" $p) $k.securityProtocol
                 (printf "%sTOPICS_MIN_INSYNC_REPLICAS" $p) $k.minInsyncReplicas -}}
{{- if $k.saslMechanism }}
{{- $_ := set $env (printf "%sKAFKA_CLIENT_SASL_MECHANISM" $p) $k.saslMechanism -}}
{{- end }}
{{- if $k.caSecret }}
{{- $_ := set $env (printf "%sKAFKA_CLIENT_SSL_TRUSTSTORE_TYPE" $p) "PEM" -}}
{{- $_ := set $env (printf "%sKAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION" $p) "/etc/auditkeeper/kafka/ca.crt" -}}
{{- end }}
{{- toYaml $env }}
{{- end }}

{{/* The JAAS line from the service's Kafka Secret, when SASL is on. Arguments: (list $ "AUDITKEEPER_INGEST_" secretName). */}}
{{- define "auditkeeper.kafkaJaasEnv" -}}
{{- $root := index . 0 -}}
{{- if $root.Values.kafka.saslMechanism }}
- name: {{ index . 1 }}KAFKA_CLIENT_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef: {name: {{ index . 2 }}, key: sasl.jaas.config}
{{- end }}
{{- end }}

{{/* The pod securityContext of every service: the distroless nonroot user, seccomp RuntimeDefault. */}}
{{- define "auditkeeper.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile: {type: RuntimeDefault}
{{- end }}

{{/* The container securityContext of every service: Pod Security Standards "restricted" and a read-only root. */}}
{{- define "auditkeeper.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities: {drop: [ALL]}
seccompProfile: {type: RuntimeDefault}
{{- end }}

{{/* Probes on the admin port: /healthz for startup and liveness, /readyz for readiness. Argument: a dict of periods. */}}
{{- define "auditkeeper.probes" -}}
startupProbe:
  httpGet: {path: /healthz, port: admin}
  periodSeconds: 2
  failureThreshold: {{ .startupFailureThreshold }}
livenessProbe:
  httpGet: {path: /healthz, port: admin}
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /readyz, port: admin}
  periodSeconds: {{ .readinessPeriodSeconds }}
  failureThreshold: {{ .readinessFailureThreshold }}
{{- end }}

{{/* imagePullSecrets, nodeSelector and tolerations of a pod. Arguments: (list $ .Values.ingest). */}}
{{- define "auditkeeper.scheduling" -}}
{{- $root := index . 0 -}}
{{- $svc := index . 1 -}}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $svc.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $svc.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
