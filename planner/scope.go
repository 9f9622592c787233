package planner

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Scope tells whether a kind is namespaced. The planner asks nothing else
// of a cluster; the applier answers from discovery, the planner alone from
// BuiltinScope and the CRDs an app renders.
type Scope interface {
	IsNamespaced(gk schema.GroupKind) (bool, error)
}

// BuiltinScope knows the cluster-scoped kinds of Kubernetes itself and
// takes every other kind to be namespaced.
type BuiltinScope struct{}

// clusterScoped lists Kubernetes' own cluster-scoped kinds by group.
var clusterScoped = map[schema.GroupKind]bool{
	{Kind: "Namespace"}: true, {Kind: "Node"}: true, {Kind: "PersistentVolume"}: true,
	{Kind: "ComponentStatus"}:                                                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                  true,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:                 true,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                             true,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                   true,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                      true,
	{Group: "storage.k8s.io", Kind: "CSINode"}:                                        true,
	{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                               true,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                                true,
	{Group: "networking.k8s.io", Kind: "IPAddress"}:                                   true,
	{Group: "networking.k8s.io", Kind: "ServiceCIDR"}:                                 true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                               true,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                      true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: true,
	{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:                 true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                       true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:       true,
	{Group: "policy", Kind: "PodSecurityPolicy"}:                                      true,
}

// IsNamespaced reports false for Kubernetes' cluster-scoped kinds and true
// for every other kind.
func (BuiltinScope) IsNamespaced(gk schema.GroupKind) (bool, error) {
	return !clusterScoped[gk], nil
}

// crdScope answers from the CRDs an app renders before asking next.
type crdScope struct {
	crds map[schema.GroupKind]bool // namespaced?
	next Scope
}

func newCRDScope(objs []*unstructured.Unstructured, next Scope) *crdScope {
	s := &crdScope{crds: map[schema.GroupKind]bool{}, next: next}
	for _, u := range objs {
		gvk := u.GroupVersionKind()
		if gvk.Group != "apiextensions.k8s.io" || gvk.Kind != "CustomResourceDefinition" {
			continue
		}
		group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
		scope, _, _ := unstructured.NestedString(u.Object, "spec", "scope")
		s.crds[schema.GroupKind{Group: group, Kind: kind}] = scope != "Cluster"
	}
	return s
}

// IsNamespaced answers for kinds the app defines, then asks next.
func (s *crdScope) IsNamespaced(gk schema.GroupKind) (bool, error) {
	if ns, ok := s.crds[gk]; ok {
		return ns, nil
	}
	return s.next.IsNamespaced(gk)
}
