package config

import (
	"strings"
	"testing"
)

// TestClusterFromSecret reads an Argo CD cluster Secret as `gitwave cluster
// add` prints it and Argo CD stores it: token, CA and labels, without the
// secret-type label; a broken config names the Secret, never its value.
func TestClusterFromSecret(t *testing.T) {
	data := map[string][]byte{
		"name":   []byte("prod-east"),
		"server": []byte("https://10.0.0.1:6443"),
		"config": []byte(`{"bearerToken":"s3cr3t","tlsClientConfig":{"insecure":false,"caData":"LS0tLS1CRUdJTg=="}}`),
	}
	c, err := ClusterFromSecret("gitwave/cluster-prod-east", data, map[string]string{ArgoSecretTypeLabel: "cluster", "env": "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "prod-east" || c.Token != "s3cr3t" || c.CAData != "-----BEGIN" || len(c.Labels) != 1 || c.Labels["env"] != "prod" {
		t.Errorf("cluster = %+v", c)
	}
	data["config"] = []byte(`{"bearerToken":"s3cr3t"`)
	_, err = ClusterFromSecret("gitwave/cluster-prod-east", data, nil)
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "gitwave/cluster-prod-east") {
		t.Errorf("broken config: err = %v, want the Secret named and no token", err)
	}
	delete(data, "server")
	if _, err := ClusterFromSecret("gitwave/x", data, nil); err == nil {
		t.Error("a Secret without server was accepted")
	}
}
