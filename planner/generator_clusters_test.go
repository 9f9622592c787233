package planner

import (
	"context"
	"strings"
	"testing"
)

// TestClustersLocalCluster checks Argo CD's rule for the local cluster:
// an empty selector adds "in-cluster" unless a known cluster already has
// the in-cluster URL; a selector never adds it.
func TestClustersLocalCluster(t *testing.T) {
	remote := Cluster{Name: "remote", Server: "https://remote:6443", Labels: map[string]string{"env": "prod"}}
	hub := Cluster{Name: "hub", Server: InClusterServer, Labels: map[string]string{"env": "prod"}}
	tests := []struct {
		name     string
		selector string
		clusters []Cluster
		want     string
	}{
		{"empty selector adds in-cluster first", "{}", []Cluster{remote}, "in-cluster,remote"},
		{"a cluster with the in-cluster URL replaces it", "{}", []Cluster{remote, hub}, "remote,hub"},
		{"a selector never adds it", "{selector: {matchLabels: {env: prod}}}", []Cluster{remote}, "remote"},
		{"a selector matches the hub by its labels", "{selector: {matchLabels: {env: prod}}}", []Cluster{hub}, "hub"},
		{"no clusters, empty selector", "{}", nil, "in-cluster"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := appsetBadHeader + "  goTemplate: true\n  generators:\n    - clusters: " + tt.selector + appsetBadTemplate
			set, err := ParseApplicationSet("x.yaml", 1, []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			apps, err := set.Expand(context.Background(), ExpandOptions{Clusters: tt.clusters})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, a := range apps {
				names = append(names, strings.TrimPrefix(a.Metadata.Name, "app-"))
			}
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("clusters = %s, want %s", got, tt.want)
			}
		})
	}
}
