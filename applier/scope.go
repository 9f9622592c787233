package applier

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// IsNamespaced reports whether the cluster serves gk as a namespaced kind,
// from its discovery (cached; a kind it does not know resets the cache and
// asks once more). It makes the Manager a planner.Scope, so that what an
// AppProject permits is decided by the scope the object is applied with.
func (m *Manager) IsNamespaced(gk schema.GroupKind) (bool, error) {
	rm, err := m.mapper.RESTMapping(gk)
	if meta.IsNoMatchError(err) {
		m.mapper.Reset()
		rm, err = m.mapper.RESTMapping(gk)
	}
	if err != nil {
		return false, fmt.Errorf("cluster %s: resolve kind %s: %w", m.opts.Cluster, gk, err)
	}
	return rm.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

// NamespaceExists reports whether namespace exists in the cluster.
func (m *Manager) NamespaceExists(ctx context.Context, namespace string) (bool, error) {
	_, err := m.client.Resource(namespacesGVR).Get(ctx, namespace, metav1.GetOptions{})
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsNotFound(err):
		return false, nil
	}
	return false, fmt.Errorf("cluster %s: namespace %s: read: %w", m.opts.Cluster, namespace, err)
}
