package applier

import (
	"encoding/base64"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// registrationObject is one object Register applies, with its resource.
type registrationObject struct {
	gvr schema.GroupVersionResource
	obj *unstructured.Unstructured
}

// registrationObjects lists, in apply order, the objects that give
// gitwave-manager all verbs on all resources of the cluster, or of each of
// namespaces when some are given.
func registrationObjects(namespaces []string) []registrationObject {
	labels := map[string]any{ManagedByLabel: managedBy}
	meta := func(name, ns string) map[string]any {
		m := map[string]any{"name": name, "labels": labels}
		if ns != "" {
			m["namespace"] = ns
		}
		return m
	}
	obj := func(gvr schema.GroupVersionResource, kind string, fields map[string]any) registrationObject {
		apiVersion := gvr.Version
		if gvr.Group != "" {
			apiVersion = gvr.Group + "/" + gvr.Version
		}
		fields["apiVersion"], fields["kind"] = apiVersion, kind
		return registrationObject{gvr: gvr, obj: &unstructured.Unstructured{Object: fields}}
	}
	subject := []any{map[string]any{"kind": "ServiceAccount", "name": ManagerServiceAccount, "namespace": ManagerNamespace}}
	allRules := []any{map[string]any{"apiGroups": []any{"*"}, "resources": []any{"*"}, "verbs": []any{"*"}}}
	out := []registrationObject{
		obj(namespacesGVR, "Namespace", map[string]any{"metadata": meta(ManagerNamespace, "")}),
		obj(regServiceAccountsGVR, "ServiceAccount", map[string]any{"metadata": meta(ManagerServiceAccount, ManagerNamespace)}),
	}
	if len(namespaces) == 0 {
		clusterRules := append(allRules, map[string]any{"nonResourceURLs": []any{"*"}, "verbs": []any{"*"}})
		out = append(out,
			obj(regClusterRolesGVR, "ClusterRole", map[string]any{"metadata": meta(ManagerRole, ""), "rules": clusterRules}),
			obj(regClusterBindingsGVR, "ClusterRoleBinding", map[string]any{"metadata": meta(ManagerRoleBinding, ""), "subjects": subject,
				"roleRef": map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": ManagerRole}}))
	}
	for _, ns := range namespaces {
		out = append(out,
			obj(namespacesGVR, "Namespace", map[string]any{"metadata": map[string]any{"name": ns}}),
			obj(regRolesGVR, "Role", map[string]any{"metadata": meta(ManagerRole, ns), "rules": allRules}),
			obj(regRoleBindingsGVR, "RoleBinding", map[string]any{"metadata": meta(ManagerRoleBinding, ns), "subjects": subject,
				"roleRef": map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": ManagerRole}}))
	}
	tokenMeta := meta(ManagerTokenSecret, ManagerNamespace)
	tokenMeta["annotations"] = map[string]any{"kubernetes.io/service-account.name": ManagerServiceAccount}
	return append(out, obj(regSecretsGVR, "Secret", map[string]any{"metadata": tokenMeta, "type": "kubernetes.io/service-account-token"}))
}

// decodeRegistration reads the base64 data of a filled token Secret.
func decodeRegistration(token, ca string) (*Registration, error) {
	t, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return nil, fmt.Errorf("Secret %s/%s: token: %w", ManagerNamespace, ManagerTokenSecret, err)
	}
	c, err := base64.StdEncoding.DecodeString(ca)
	if err != nil {
		return nil, fmt.Errorf("Secret %s/%s: ca.crt: %w", ManagerNamespace, ManagerTokenSecret, err)
	}
	return &Registration{Token: string(t), CAData: c}, nil
}
