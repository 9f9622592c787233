package planner

import (
	"fmt"
	"strconv"
	"strings"
)

// InClusterName is the name Argo CD gives the cluster it runs in.
const InClusterName = "in-cluster"

// bind turns an Application into an App on its destination cluster.
func (d *discovery) bind(a *Application, m manifest, parent string) (*App, error) {
	cluster, err := resolveDestination(a.Spec.Destination, d.clusters)
	if err != nil {
		return nil, &RenderError{App: a.Metadata.Name, File: m.File, Line: m.Line, Err: err}
	}
	wave := 0
	if w, ok := a.Metadata.Annotations[AnnotationSyncWave]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil {
			return nil, &RenderError{App: a.Metadata.Name, File: m.File, Line: m.Line,
				Err: fmt.Errorf("annotation %s=%q is not an integer", AnnotationSyncWave, w)}
		}
		wave = n
	}
	if len(a.Spec.AllSources()) == 0 {
		return nil, &RenderError{App: a.Metadata.Name, File: m.File, Line: m.Line, Err: fmt.Errorf("spec has neither source nor sources")}
	}
	project := a.Spec.Project
	if project == "" {
		project = "default"
	}
	return &App{
		Name: a.Metadata.Name, Project: project, Cluster: cluster, Namespace: a.Spec.Destination.Namespace,
		Wave: wave, Parent: parent, File: m.File, Line: m.Line, Spec: a.Spec,
		Annotations: a.Metadata.Annotations, Labels: a.Metadata.Labels, Finalizers: a.Metadata.Finalizers,
	}, nil
}

// resolveDestination finds the cluster a destination names, by server URL
// or by name. Argo CD's in-cluster destination resolves to a configured
// cluster with that server or name when there is one, and otherwise to a
// placeholder named "in-cluster".
func resolveDestination(dst Destination, clusters []Cluster) (Cluster, error) {
	switch {
	case dst.Server != "" && dst.Name != "":
		return Cluster{}, fmt.Errorf("destination sets both server %q and name %q; set one", dst.Server, dst.Name)
	case dst.Server != "":
		want := strings.TrimRight(dst.Server, "/")
		for _, c := range clusters {
			if strings.TrimRight(c.Server, "/") == want {
				return c, nil
			}
			for _, alias := range c.Aliases {
				if strings.TrimRight(alias, "/") == want {
					return c, nil
				}
			}
		}
		if want == InClusterServer {
			return Cluster{Name: InClusterName, Server: InClusterServer}, nil
		}
		return Cluster{}, fmt.Errorf("destination server %s is not a known cluster (known: %s)", dst.Server, clusterNames(clusters))
	case dst.Name != "":
		for _, c := range clusters {
			if c.Name == dst.Name {
				return c, nil
			}
		}
		if dst.Name == InClusterName {
			return Cluster{Name: InClusterName, Server: InClusterServer}, nil
		}
		return Cluster{}, fmt.Errorf("destination cluster %q is not a known cluster (known: %s)", dst.Name, clusterNames(clusters))
	}
	return Cluster{}, fmt.Errorf("destination names no cluster: set server or name")
}

func clusterNames(clusters []Cluster) string {
	if len(clusters) == 0 {
		return "none"
	}
	names := make([]string, len(clusters))
	for i, c := range clusters {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}
