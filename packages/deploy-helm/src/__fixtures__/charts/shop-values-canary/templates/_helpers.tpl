{{- define "shop.labels" -}}
app.kubernetes.io/name: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
{{- define "shop.canaryReplicas" -}}
{{- if .Values.canary.enabled -}}
{{- div (add (mul (int .Values.canary.weight) (int .Values.replicas)) 99) 100 -}}
{{- else -}}
0
{{- end -}}
{{- end -}}
