package applier

import (
	"context"
	"encoding/base64"
	"fmt"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/gitwave/gitwave/config"
)

// HubSecrets reads Argo CD cluster Secrets, with their credentials, from
// one namespace of the hub cluster: the cluster gitwave runs in, where
// Argo CD keeps them. Credentials are never read from Git.
type HubSecrets struct {
	client    dynamic.Interface
	namespace string
}

// NewHubSecrets reaches the hub as cs says: its kubeconfig, or the
// in-cluster ServiceAccount when it names none.
func NewHubSecrets(cs config.ClusterSecrets) (*HubSecrets, error) {
	var cfg *rest.Config
	var err error
	if cs.Kubeconfig != "" {
		cfg, err = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(&clientcmd.ClientConfigLoadingRules{ExplicitPath: cs.Kubeconfig},
			&clientcmd.ConfigOverrides{CurrentContext: cs.Context}).ClientConfig()
	} else {
		cfg, err = rest.InClusterConfig()
	}
	if err != nil {
		return nil, fmt.Errorf("clusterSecrets: reach the hub cluster: %w", err)
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("clusterSecrets: %w", err)
	}
	return &HubSecrets{client: client, namespace: cs.Namespace}, nil
}

// List returns the clusters of every cluster Secret in the namespace,
// sorted by name. A Secret that cannot be read is reported in errs and
// skipped; err is set when the namespace cannot be listed at all.
func (h *HubSecrets) List(ctx context.Context) (clusters []config.Cluster, errs []error, err error) {
	list, err := h.client.Resource(regSecretsGVR).Namespace(h.namespace).List(ctx,
		metav1.ListOptions{LabelSelector: config.ArgoSecretTypeLabel + "=cluster"})
	if err != nil {
		return nil, nil, fmt.Errorf("clusterSecrets: list Secrets in %s: %w", h.namespace, err)
	}
	for _, s := range list.Items {
		raw, _ := s.Object["data"].(map[string]any)
		data := map[string][]byte{}
		for k, v := range raw {
			str, _ := v.(string)
			b, derr := base64.StdEncoding.DecodeString(str)
			if derr != nil {
				errs = append(errs, fmt.Errorf("cluster Secret %s/%s: %s is not base64", h.namespace, s.GetName(), k))
				continue
			}
			data[k] = b
		}
		c, cerr := config.ClusterFromSecret(h.namespace+"/"+s.GetName(), data, s.GetLabels())
		if cerr != nil {
			errs = append(errs, cerr)
			continue
		}
		clusters = append(clusters, c)
	}
	sort.Slice(clusters, func(i, j int) bool { return clusters[i].Name < clusters[j].Name })
	return clusters, errs, nil
}
