package localcluster

import (
	"fmt"
	"path/filepath"
	"strconv"
)

// Component names: the binaries started per cluster, in start order. They
// are also the keys of Options.ExtraArgs and the base names of the log files.
const (
	Etcd              = "etcd"
	KubeAPIServer     = "kube-apiserver"
	ControllerManager = "kube-controller-manager"
	Scheduler         = "kube-scheduler"
	Kwok              = "kwok"
)

// components lists every binary a cluster needs, in start order.
var components = []string{Etcd, KubeAPIServer, ControllerManager, Scheduler, Kwok}

// ports are the loopback ports of one cluster.
type ports struct {
	etcdClient, etcdPeer, apiserver int
}

// etcdURL returns the etcd client URL.
func (p ports) etcdURL() string {
	return "http://127.0.0.1:" + strconv.Itoa(p.etcdClient)
}

// args returns the command line of a component, before Options.ExtraArgs.
func (c *cluster) args(component string) []string {
	pkiDir := filepath.Join(c.dir, "pki")
	pkiFile := func(name string) string { return filepath.Join(pkiDir, name) }
	kubeconfig := filepath.Join(c.dir, "admin.kubeconfig")
	switch component {
	case Etcd:
		peer := fmt.Sprintf("http://127.0.0.1:%d", c.ports.etcdPeer)
		return []string{
			"--name=" + c.name,
			"--data-dir=" + filepath.Join(c.dir, "etcd"),
			"--listen-client-urls=" + c.ports.etcdURL(),
			"--advertise-client-urls=" + c.ports.etcdURL(),
			"--listen-peer-urls=" + peer,
			"--initial-advertise-peer-urls=" + peer,
			"--initial-cluster=" + c.name + "=" + peer,
			"--unsafe-no-fsync=true", // test data; fsync costs seconds on busy disks
			"--log-level=warn",
		}
	case KubeAPIServer:
		return []string{
			"--etcd-servers=" + c.ports.etcdURL(),
			"--bind-address=127.0.0.1",
			"--advertise-address=127.0.0.1",
			// The endpoint reconciler rejects loopback; nothing in-cluster
			// needs the kubernetes Service endpoints (kwok runs no pods).
			"--endpoint-reconciler-type=none",
			"--secure-port=" + strconv.Itoa(c.ports.apiserver),
			"--cert-dir=" + pkiDir,
			"--tls-cert-file=" + pkiFile(servingCertFile),
			"--tls-private-key-file=" + pkiFile(servingKeyFile),
			"--client-ca-file=" + pkiFile(caCertFile),
			"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
			"--service-account-key-file=" + pkiFile(saPubFile),
			"--service-account-signing-key-file=" + pkiFile(saKeyFile),
			"--token-auth-file=" + pkiFile(tokenFile),
			"--authorization-mode=RBAC",
			"--service-cluster-ip-range=" + serviceCIDR,
			"--allow-privileged=true",
		}
	case ControllerManager:
		return []string{
			"--kubeconfig=" + kubeconfig,
			"--leader-elect=false",
			"--secure-port=0",
			"--service-account-private-key-file=" + pkiFile(saKeyFile),
			"--root-ca-file=" + pkiFile(caCertFile),
			"--use-service-account-credentials=true",
			"--service-cluster-ip-range=" + serviceCIDR,
		}
	case Scheduler:
		return []string{
			"--kubeconfig=" + kubeconfig,
			"--leader-elect=false",
			"--secure-port=0",
		}
	case Kwok:
		return []string{
			"--kubeconfig=" + kubeconfig,
			"--manage-all-nodes=true",
			"--server-address=127.0.0.1:0",
			// Without a lease duration kwok never renews the node's lease,
			// and the node controller marks the node and all its pods
			// NotReady every 40 to 55 seconds.
			"--node-lease-duration-seconds=40",
			"-c", c.opts.StagesFile,
		}
	}
	panic("localcluster: unknown component " + component)
}
