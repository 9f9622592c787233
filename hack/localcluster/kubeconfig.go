package localcluster

import (
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// kubeconfig returns a kubeconfig with one cluster, user and context per
// cluster, all named after the cluster. The current context is the first.
func kubeconfig(clusters []*cluster) ([]byte, error) {
	cfg := clientcmdapi.NewConfig()
	for _, c := range clusters {
		cfg.Clusters[c.name] = &clientcmdapi.Cluster{
			Server:                   c.server(),
			CertificateAuthorityData: c.pki.caPEM,
		}
		cfg.AuthInfos[c.name] = &clientcmdapi.AuthInfo{Token: c.pki.token}
		cfg.Contexts[c.name] = &clientcmdapi.Context{Cluster: c.name, AuthInfo: c.name}
	}
	if len(clusters) > 0 {
		cfg.CurrentContext = clusters[0].name
	}
	return clientcmd.Write(*cfg)
}

// writeKubeconfig writes kubeconfig(clusters) to path.
func writeKubeconfig(path string, clusters []*cluster) error {
	data, err := kubeconfig(clusters)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}
