package planner

import "fmt"

// inClusterName is the name Argo CD gives the cluster it runs in when no
// cluster Secret describes it.
const inClusterName = "in-cluster"

// clusters returns one parameter set per cluster in ExpandOptions.Clusters
// whose labels match the selector, in that order.
//
// As in Argo CD, when the selector is empty (clusters: {}) and no known
// cluster has the in-cluster server URL, the local cluster comes first as
// name "in-cluster", server https://kubernetes.default.svc, without
// metadata. A non-empty selector never matches that implicit cluster; a
// cluster that does have the in-cluster URL is matched by its labels like
// any other.
func (x *expander) clusters(g *ClusterGenerator) ([]paramSet, error) {
	sel, err := compileSelector(&g.Selector)
	if err != nil {
		return nil, fmt.Errorf("selector: %w", err)
	}
	var sets []paramSet
	if sel.empty() && !hasClusterServer(x.opts.Clusters, InClusterServer) {
		p := paramSet{"name": inClusterName, "nameNormalized": inClusterName, "server": InClusterServer}
		if err := x.addValues(p, g.Values); err != nil {
			return nil, fmt.Errorf("cluster %s: %w", inClusterName, err)
		}
		sets = append(sets, p)
	}
	for _, c := range x.opts.Clusters {
		if !sel.matches(c.Labels) {
			continue
		}
		p := x.clusterParams(c)
		if err := x.addValues(p, g.Values); err != nil {
			return nil, fmt.Errorf("cluster %s: %w", c.Name, err)
		}
		sets = append(sets, p)
	}
	return sets, nil
}

// clusterParams returns name, nameNormalized, server and the cluster's
// labels and annotations: nested under metadata in goTemplate mode (each
// only when not empty, as Argo CD does), flattened otherwise.
func (x *expander) clusterParams(c Cluster) paramSet {
	p := paramSet{"name": c.Name, "nameNormalized": normalizeName(c.Name), "server": c.Server}
	if !x.r.goTemplate {
		for k, v := range c.Annotations {
			p["metadata.annotations."+k] = v
		}
		for k, v := range c.Labels {
			p["metadata.labels."+k] = v
		}
		return p
	}
	meta := map[string]any{}
	if len(c.Annotations) > 0 {
		meta["annotations"] = stringMapToAny(c.Annotations)
	}
	if len(c.Labels) > 0 {
		meta["labels"] = stringMapToAny(c.Labels)
	}
	p["metadata"] = meta
	return p
}

// addValues templates values with p, which does not see other values, and
// adds them to p as values.KEY.
func (x *expander) addValues(p paramSet, values map[string]string) error {
	if len(values) == 0 {
		return nil
	}
	rendered := make(map[string]any, len(values))
	for _, k := range sortedMapKeys(values) {
		v, err := x.r.renderString("values."+k, values[k], p)
		if err != nil {
			return err
		}
		rendered[k] = v
	}
	if x.r.goTemplate {
		p["values"] = rendered
		return nil
	}
	for k, v := range rendered {
		p["values."+k] = v
	}
	return nil
}

func hasClusterServer(clusters []Cluster, server string) bool {
	for _, c := range clusters {
		if c.Server == server {
			return true
		}
	}
	return false
}

func stringMapToAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
