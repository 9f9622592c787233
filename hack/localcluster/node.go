package localcluster

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// NodeName is the name of the fake node created in every cluster.
const NodeName = "kwok-node-0"

// ClusterLabel is the node label whose value is the cluster name.
const ClusterLabel = "gitwave.dev/localcluster"

// createNode registers the fake node that kwok manages. Its status carries
// the capacity the scheduler needs; kwok's node-initialize stage fills in the
// conditions and addresses.
func createNode(ctx context.Context, cs kubernetes.Interface, clusterName string) error {
	resources := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        NodeName,
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
			Labels: map[string]string{
				"type":                   "kwok",
				ClusterLabel:             clusterName,
				corev1.LabelHostname:     NodeName,
				corev1.LabelOSStable:     "linux",
				corev1.LabelArchStable:   "amd64",
				corev1.LabelTopologyZone: clusterName,
			},
		},
		Status: corev1.NodeStatus{
			Capacity:    resources,
			Allocatable: resources,
			NodeInfo: corev1.NodeSystemInfo{
				KubeletVersion:  KubeVersion,
				OperatingSystem: "linux",
				Architecture:    "amd64",
			},
		},
	}
	_, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create node: %w", err)
	}
	return nil
}

// readyz returns a condition that holds when the apiserver's /readyz is ok.
func readyz(cs kubernetes.Interface) func(context.Context) (bool, string) {
	return func(ctx context.Context) (bool, string) {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return false, fmt.Sprintf("/readyz: %v: %s", err, body)
		}
		return true, ""
	}
}

// nodeReady returns a condition that holds when NodeName is Ready.
func nodeReady(cs kubernetes.Interface) func(context.Context) (bool, string) {
	return func(ctx context.Context) (bool, string) {
		node, err := cs.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		for _, cond := range node.Status.Conditions {
			if cond.Type == corev1.NodeReady {
				return cond.Status == corev1.ConditionTrue, "node Ready=" + string(cond.Status)
			}
		}
		return false, "node has no Ready condition"
	}
}

// defaultServiceAccount returns a condition that holds when the controller
// manager has created ServiceAccount default/default, which pod admission
// requires.
func defaultServiceAccount(cs kubernetes.Interface) func(context.Context) (bool, string) {
	return func(ctx context.Context) (bool, string) {
		_, err := cs.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return true, ""
	}
}
