package planner

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestMatrixLegacyConflict checks that in the legacy form a parameter with
// different values in the two children is an error, as in Argo CD.
func TestMatrixLegacyConflict(t *testing.T) {
	doc := appsetBadHeader + `  generators:
    - matrix:
        generators:
          - list: {elements: [{name: a, env: prod}]}
          - list: {elements: [{name: a, env: dev}]}
` + appsetBadTemplate
	set, err := ParseApplicationSet("x.yaml", 1, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Expand(context.Background(), ExpandOptions{})
	if err == nil || !strings.Contains(err.Error(), `parameter "env" is "prod" in generators[0] and "dev" in generators[1]`) {
		t.Fatalf("err = %v, want a conflict on env", err)
	}
}

// BenchmarkExpandMatrix expands a matrix of 40 clusters x 25 list
// elements (1000 Applications).
func BenchmarkExpandMatrix(b *testing.B) {
	clusters := make([]Cluster, 40)
	for i := range clusters {
		clusters[i] = Cluster{
			Name:   fmt.Sprintf("cluster-%02d", i),
			Server: fmt.Sprintf("https://cluster-%02d.example:6443", i),
			Labels: map[string]string{"env": "production", "region": fmt.Sprintf("region-%d", i%4)},
		}
	}
	var elements strings.Builder
	for i := range 25 {
		fmt.Fprintf(&elements, "                - {service: svc-%02d, replicas: '%d'}\n", i, i%3+1)
	}
	doc := appsetBadHeader + `  goTemplate: true
  goTemplateOptions: [missingkey=error]
  generators:
    - matrix:
        generators:
          - clusters: {selector: {matchLabels: {env: production}}}
          - list:
              elements:
` + elements.String() + `  template:
    metadata:
      name: '{{.service}}-{{.name}}'
      labels: {region: '{{.metadata.labels.region}}'}
    spec:
      project: applications
      source:
        repoURL: https://github.com/org/k8s-apps.git
        targetRevision: main
        path: 'apps/{{.service}}'
        helm:
          parameters:
            - {name: replicaCount, value: '{{.replicas}}'}
      destination: {server: '{{.server}}', namespace: '{{.service}}'}
      syncPolicy: {automated: {prune: true, selfHeal: true}, syncOptions: [CreateNamespace=true]}
`
	set, err := ParseApplicationSet("bench.yaml", 1, []byte(doc))
	if err != nil {
		b.Fatal(err)
	}
	opts := ExpandOptions{Clusters: clusters}
	b.ReportAllocs()
	for b.Loop() {
		apps, err := set.Expand(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(apps) != 1000 {
			b.Fatalf("got %d apps, want 1000", len(apps))
		}
	}
}
