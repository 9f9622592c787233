package examplerepo

import (
	"fmt"
	"strings"
)

// scaledFiles returns the files of a scaled repository by path.
func scaledFiles(apps, clusters int) map[string]string {
	files := map[string]string{
		".gitwave.yaml":                fmt.Sprintf("apps:\n  - appsets\nclusters:\n  - clusters\nrepoURL: %s\n", ScaleRepoURL),
		"bases/web/kustomization.yaml": webKustomization,
		"bases/web/configmap.yaml":     webConfigMap,
		"bases/web/deployment.yaml":    webDeployment,
		"bases/web/service.yaml":       webService,
	}
	for c := range clusters {
		name := clusterName(c)
		files["clusters/"+name+".yaml"] = clusterSecret(name, regions[c%len(regions)])
	}
	for first := 0; first < apps; first += AppsPerSet {
		last := min(first+AppsPerSet, apps)
		files[fmt.Sprintf("appsets/services-%02d.yaml", first/AppsPerSet)] = appSet(first/AppsPerSet, first, last)
	}
	for i := range apps {
		name := appName(i)
		dir := "services/" + name + "/"
		if i%2 == 1 {
			files[dir+"kustomization.yaml"] = fmt.Sprintf(overlayTmpl, name, name, i%3+1)
			continue
		}
		files[dir+"Chart.yaml"] = fmt.Sprintf(chartTmpl, name)
		files[dir+"values.yaml"] = fmt.Sprintf(valuesTmpl, name)
		files[dir+"templates/configmap.yaml"] = helmConfigMap
		files[dir+"templates/deployment.yaml"] = helmDeployment
		files[dir+"templates/service.yaml"] = helmService
	}
	return files
}

var regions = []string{"ap-northeast-2", "us-east-1", "eu-west-1"}

func clusterName(i int) string { return fmt.Sprintf("cluster-%02d", i) }

func appName(i int) string { return fmt.Sprintf("svc-%04d", i) }

func clusterSecret(name, region string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata:
  name: %[1]s-cluster
  namespace: argocd
  labels:
    argocd.argoproj.io/secret-type: cluster
    env: production
    region: %[2]s
type: Opaque
stringData:
  name: %[1]s
  server: 'https://kubernetes.%[1]s.internal:6443'
  config: '{"bearerToken": "fake-token-%[1]s"}'
`, name, region)
}

// appSet lists apps [first, last) in one ApplicationSet over every
// production cluster.
func appSet(n, first, last int) string {
	var elems strings.Builder
	for i := first; i < last; i++ {
		fmt.Fprintf(&elems, "                - app: %s\n", appName(i))
	}
	return fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: services-%02d
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ['missingkey=error']
  generators:
    - matrix:
        generators:
          - clusters:
              selector:
                matchLabels:
                  env: production
          - list:
              elements:
%s  template:
    metadata:
      name: '{{.app}}-{{.name}}'
    spec:
      project: default
      source:
        repoURL: '%s'
        targetRevision: main
        path: 'services/{{.app}}'
      destination:
        server: '{{.server}}'
        namespace: '{{.app}}'
      syncPolicy:
        automated:
          prune: true
          selfHeal: true
        syncOptions:
          - CreateNamespace=true
`, n, elems.String(), ScaleRepoURL)
}

const chartTmpl = `apiVersion: v2
name: %s
type: application
version: 1.0.0
appVersion: "v1.0.0"
`

const valuesTmpl = `replicaCount: 1
image:
  repository: registry.internal/%s
  tag: v1.0.0
port: 8080
revision: 1
config:
  LOG_LEVEL: info
`

const helmConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Chart.Name }}-config
  labels:
    app: {{ .Chart.Name }}
data:
  REVISION: {{ .Values.revision | quote }}
  {{- range $key, $value := .Values.config }}
  {{ $key }}: {{ $value | quote }}
  {{- end }}
`

const helmDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Chart.Name }}
  labels:
    app: {{ .Chart.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      app: {{ .Chart.Name }}
  template:
    metadata:
      labels:
        app: {{ .Chart.Name }}
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports:
            - name: http
              containerPort: {{ .Values.port }}
          envFrom:
            - configMapRef:
                name: {{ .Chart.Name }}-config
`

const helmService = `apiVersion: v1
kind: Service
metadata:
  name: {{ .Chart.Name }}
  labels:
    app: {{ .Chart.Name }}
spec:
  selector:
    app: {{ .Chart.Name }}
  ports:
    - name: http
      port: {{ .Values.port }}
      targetPort: http
`

const overlayTmpl = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../bases/web
labels:
  - pairs:
      app.kubernetes.io/instance: %s
images:
  - name: registry.internal/web
    newName: registry.internal/%s
    newTag: v1.0.0
replicas:
  - name: web
    count: %d
`

const webKustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - configmap.yaml
  - deployment.yaml
  - service.yaml
`

const webConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  LOG_LEVEL: info
`

const webDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.internal/web:v1.0.0
          ports:
            - name: http
              containerPort: 8080
          envFrom:
            - configMapRef:
                name: web-config
`

const webService = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 8080
      targetPort: http
`
