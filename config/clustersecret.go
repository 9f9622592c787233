package config

import (
	"encoding/json"
	"fmt"
)

// ArgoSecretTypeLabel marks Argo CD's cluster Secrets
// (argocd.argoproj.io/secret-type: cluster).
const ArgoSecretTypeLabel = "argocd.argoproj.io/secret-type"

// ClusterSecrets names the namespace of the hub cluster (the one gitwave
// runs in) where Argo CD cluster Secrets give clusters with their
// credentials: `clusterSecrets: {namespace: gitwave}`.
type ClusterSecrets struct {
	// Namespace holds the Secrets; required.
	Namespace string `json:"namespace"`
	// Kubeconfig reaches the hub from outside it; empty uses the in-cluster
	// ServiceAccount. Context picks a context of it.
	Kubeconfig string `json:"kubeconfig,omitempty"`
	Context    string `json:"context,omitempty"`
}

// ArgoClusterConfig is the config key of an Argo CD cluster Secret, the
// part gitwave reads: a bearer token and TLS settings.
type ArgoClusterConfig struct {
	BearerToken     string              `json:"bearerToken,omitempty"`
	TLSClientConfig ArgoTLSClientConfig `json:"tlsClientConfig"`
}

// ArgoTLSClientConfig is tlsClientConfig of an Argo CD cluster Secret;
// caData is PEM, base64-encoded in the JSON.
type ArgoTLSClientConfig struct {
	Insecure bool   `json:"insecure"`
	CAData   []byte `json:"caData,omitempty"`
}

// ClusterFromSecret reads an Argo CD cluster Secret's data (name, server,
// config) and labels into a Cluster with its token and CA. The Secret's
// own name is used in errors only; no credential ever is.
func ClusterFromSecret(secretName string, data map[string][]byte, labels map[string]string) (Cluster, error) {
	c := Cluster{Name: string(data["name"]), Server: string(data["server"])}
	if c.Name == "" || c.Server == "" {
		return c, fmt.Errorf("cluster Secret %s: name and server are required", secretName)
	}
	if raw := data["config"]; len(raw) > 0 {
		var ac ArgoClusterConfig
		if err := json.Unmarshal(raw, &ac); err != nil {
			return c, fmt.Errorf("cluster Secret %s: config is not Argo CD's cluster config JSON", secretName)
		}
		c.Token, c.CAData, c.Insecure = ac.BearerToken, string(ac.TLSClientConfig.CAData), ac.TLSClientConfig.Insecure
	}
	for k, v := range labels {
		if k == ArgoSecretTypeLabel {
			continue
		}
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		c.Labels[k] = v
	}
	return c, nil
}
