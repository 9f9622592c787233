package bot_test

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
)

var (
	secrets             = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	namespaces          = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	clusterRoleBindings = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"}
)

// TestPRCannotReachTheClusters: pull requests by bob on three real
// clusters. One that bob may not make reads nothing live (its ConfigMap
// naming a live one in another namespace is diffed against the base
// branch only) and /sync of its new app deploys nothing. One that bob may
// make renders a Secret named like a live one that is not its app's: the
// comment does not tell whether bob guessed the live value.
func TestPRCannotReachTheClusters(t *testing.T) {
	e := needEnv(t)
	f := newFixture(t, fixtureOptions{Env: e})
	staging := dynamic.NewForConfigOrDie(e.RESTConfig("staging"))
	createIn(t, staging, namespaces, `{apiVersion: v1, kind: Namespace, metadata: {name: vault}}`)
	createIn(t, staging, configMaps, `{apiVersion: v1, kind: ConfigMap, metadata: {name: leak, namespace: vault}, data: {token: live-token-value}}`)
	createIn(t, staging, secrets, `{apiVersion: v1, kind: Secret, metadata: {name: victim, namespace: kube-system}, stringData: {password: hunter2}}`)

	f.commitOn("pr/2", map[string]string{
		"applications/payment-evil.yaml":         evilApp,
		"evil/crb.yaml":                          evilBinding,
		"apps/order-service/templates/leak.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leak, namespace: vault}\ndata: {token: x}\n",
	})
	f.openPR(2, "bob", "pr/2")
	diff := f.botComments(2)[0]
	if strings.Contains(diff, "live-token-value") || !strings.Contains(diff, "not diffed against the live cluster: bob may not make this change") {
		t.Errorf("the denied pull request's comment reads the cluster:\n%s", diff)
	}
	if got := f.commandOn(2, "bob", "/sync payment-evil"); !strings.Contains(got, "Nothing was synced") {
		t.Errorf("/sync payment-evil:\n%s", got)
	}
	_, err := staging.Resource(clusterRoleBindings).Get(context.Background(), "bob-is-admin", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("ClusterRoleBinding bob-is-admin on staging: %v; want none", err)
	}
	if h, err := f.store.History(context.Background(), "payment-evil", "", 0); err != nil || len(h) != 0 {
		t.Errorf("syncs of payment-evil recorded = %+v, %v; want none, so that self-heal has nothing to re-apply", h, err)
	}

	f.commitOn("pr/3", map[string]string{"apps/payment-service/templates/victim.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: victim, namespace: kube-system}\nstringData: {password: hunter2}\n"})
	f.openPR(3, "bob", "pr/3")
	diff = f.botComments(3)[0]
	if !strings.Contains(diff, "+  password: ++++++++ (changed)") {
		t.Errorf("the guessed value of a foreign Secret is not masked as changed:\n%s", diff)
	}
}

// createIn creates an object as another tool would.
func createIn(t *testing.T, c dynamic.Interface, gvr schema.GroupVersionResource, manifest string) {
	t.Helper()
	var u unstructured.Unstructured
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatal(err)
	}
	var ri dynamic.ResourceInterface = c.Resource(gvr)
	if ns := u.GetNamespace(); ns != "" {
		ri = c.Resource(gvr).Namespace(ns)
	}
	if _, err := ri.Create(context.Background(), &u, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}
