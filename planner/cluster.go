package planner

// Cluster is a deployment target as the planner sees it: a name, the API
// server URL, and labels that feed the clusters generator. Credentials are
// not the planner's business; the applier looks them up by name.
type Cluster struct {
	// Name is the cluster's name (destination.name, the clusters generator's
	// {{.name}}).
	Name string `json:"name"`
	// Server is the API server URL (destination.server, {{.server}}).
	Server string `json:"server"`
	// Labels are matched by the clusters generator's selector.
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations are exposed to templates as metadata.annotations.
	Annotations map[string]string `json:"annotations,omitempty"`
	// KubeVersion is the cluster's Kubernetes version ("1.37.2") given to
	// Helm as .Capabilities.KubeVersion; empty means Helm's default.
	KubeVersion string `json:"kubeVersion,omitempty"`
	// APIVersions are extra API versions for .Capabilities.APIVersions.
	APIVersions []string `json:"apiVersions,omitempty"`
	// Aliases are other server URLs that name this cluster, such as the
	// server of an Argo CD cluster Secret whose connection gitwave's own
	// configuration overrides.
	Aliases []string `json:"aliases,omitempty"`
	// Source says where the cluster was defined: "config" or the repository
	// file of an Argo CD cluster Secret.
	Source string `json:"source,omitempty"`
}

// InClusterServer is the server URL Argo CD uses for the cluster it runs in.
const InClusterServer = "https://kubernetes.default.svc"
