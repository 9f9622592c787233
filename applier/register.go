package applier

import (
	"context"
	"fmt"
	"sort"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// The objects `gitwave cluster add` creates on a managed cluster, named as
// Argo CD names its argocd-manager ones.
const (
	ManagerNamespace      = "gitwave-system"
	ManagerServiceAccount = "gitwave-manager"
	ManagerRole           = "gitwave-manager-role"
	ManagerRoleBinding    = "gitwave-manager-role-binding"
	ManagerTokenSecret    = "gitwave-manager-token"
	// ManagedByLabel marks every object of a registration, so that
	// Unregister finds the Roles of a namespaced one.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	managedBy      = "gitwave-cluster-add"
)

var (
	regServiceAccountsGVR = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
	regSecretsGVR         = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	regClusterRolesGVR    = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"}
	regClusterBindingsGVR = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"}
	regRolesGVR           = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"}
	regRoleBindingsGVR    = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"}
)

// RegisterOptions says what access gitwave gets on a cluster.
type RegisterOptions struct {
	// Namespaces, when set, limits gitwave to these namespaces (a Role and
	// RoleBinding in each); empty grants the whole cluster.
	Namespaces []string
	// TokenTimeout bounds the wait for the token controller; default 60s.
	TokenTimeout time.Duration
}

// Registration is what a managed cluster gave gitwave: the ServiceAccount's
// token and the CA certificate of its API server.
type Registration struct {
	Token  string
	CAData []byte
}

// Register creates, on the cluster cfg reaches, the gitwave-system
// namespace, the gitwave-manager ServiceAccount, its ClusterRole and
// ClusterRoleBinding (or a Role and RoleBinding per namespace) and a
// long-lived token Secret, then waits for the token controller to fill the
// Secret. Running it again updates the objects; it never deletes.
func Register(ctx context.Context, cfg *rest.Config, opts RegisterOptions) (*Registration, error) {
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("register on %s: %w", cfg.Host, err)
	}
	for _, o := range registrationObjects(opts.Namespaces) {
		if err := applyObject(ctx, client, o); err != nil {
			return nil, fmt.Errorf("register on %s: %w", cfg.Host, err)
		}
	}
	timeout := opts.TokenTimeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	reg, err := waitForToken(ctx, client, timeout)
	if err != nil {
		return nil, fmt.Errorf("register on %s: %w", cfg.Host, err)
	}
	return reg, nil
}

// applyObject server-side applies one registration object.
func applyObject(ctx context.Context, client dynamic.Interface, o registrationObject) error {
	data, err := o.obj.MarshalJSON()
	if err != nil {
		return fmt.Errorf("%s %s: encode: %w", o.obj.GetKind(), o.obj.GetName(), err)
	}
	var ri dynamic.ResourceInterface = client.Resource(o.gvr)
	if ns := o.obj.GetNamespace(); ns != "" {
		ri = client.Resource(o.gvr).Namespace(ns)
	}
	force := true
	_, err = ri.Patch(ctx, o.obj.GetName(), types.ApplyPatchType, data,
		metav1.PatchOptions{FieldManager: DefaultFieldManager, Force: &force})
	if err != nil {
		return fmt.Errorf("%s %s: apply: %w", o.obj.GetKind(), o.obj.GetName(), err)
	}
	return nil
}

// waitForToken polls the token Secret until the token controller has
// written the token and the CA certificate.
func waitForToken(ctx context.Context, client dynamic.Interface, timeout time.Duration) (*Registration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		s, err := client.Resource(regSecretsGVR).Namespace(ManagerNamespace).Get(ctx, ManagerTokenSecret, metav1.GetOptions{})
		if err != nil && !apierrors.IsNotFound(err) && ctx.Err() == nil {
			return nil, fmt.Errorf("read Secret %s/%s: %w", ManagerNamespace, ManagerTokenSecret, err)
		}
		if s != nil {
			token, _, _ := unstructured.NestedString(s.Object, "data", "token")
			ca, _, _ := unstructured.NestedString(s.Object, "data", "ca.crt")
			if token != "" {
				return decodeRegistration(token, ca)
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("Secret %s/%s has no token after %s: is kube-controller-manager running with --service-account-private-key-file?",
				ManagerNamespace, ManagerTokenSecret, timeout)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Unregister deletes what Register created: the ClusterRoleBinding and
// ClusterRole, every Role and RoleBinding it labelled, and the
// gitwave-system namespace with the ServiceAccount and its token, which
// stops working at once. Objects already gone are not an error.
func Unregister(ctx context.Context, cfg *rest.Config) ([]string, error) {
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("unregister on %s: %w", cfg.Host, err)
	}
	var deleted []string
	del := func(gvr schema.GroupVersionResource, ns, name string) error {
		var ri dynamic.ResourceInterface = client.Resource(gvr)
		if ns != "" {
			ri = client.Resource(gvr).Namespace(ns)
		}
		err := ri.Delete(ctx, name, metav1.DeleteOptions{})
		if err == nil {
			deleted = append(deleted, fmt.Sprintf("%s %s", gvr.Resource, joinNamespace(ns, name)))
			return nil
		}
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("unregister on %s: delete %s %s: %w", cfg.Host, gvr.Resource, joinNamespace(ns, name), err)
	}
	for _, gvr := range []schema.GroupVersionResource{regRoleBindingsGVR, regRolesGVR} {
		list, err := client.Resource(gvr).List(ctx, metav1.ListOptions{LabelSelector: ManagedByLabel + "=" + managedBy})
		if err != nil {
			return deleted, fmt.Errorf("unregister on %s: list %s: %w", cfg.Host, gvr.Resource, err)
		}
		sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].GetNamespace() < list.Items[j].GetNamespace() })
		for _, it := range list.Items {
			if err := del(gvr, it.GetNamespace(), it.GetName()); err != nil {
				return deleted, err
			}
		}
	}
	for _, step := range []struct {
		gvr  schema.GroupVersionResource
		name string
	}{{regClusterBindingsGVR, ManagerRoleBinding}, {regClusterRolesGVR, ManagerRole}, {namespacesGVR, ManagerNamespace}} {
		if err := del(step.gvr, "", step.name); err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

func joinNamespace(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}
