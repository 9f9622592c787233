package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/hack/localcluster"
)

// TestClusterAddListRm registers a real cluster as `argocd cluster add`
// does: the printed Secret's token works across the cluster, `cluster list`
// reads it from the hub's clusterSecrets namespace, rm revokes it and
// leaves nothing; a namespaced registration reaches its namespace only.
func TestClusterAddListRm(t *testing.T) {
	bin := localcluster.RequireBinaries(t)
	ctx := context.Background()
	env, err := localcluster.Start(ctx, localcluster.Options{Names: []string{"east"}, BinDir: bin, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	kc := env.KubeconfigPath()
	admin := kubernetes.NewForConfigOrDie(env.RESTConfig("east"))

	out, errOut, code := run(t, "cluster", "add", "east", "--name", "prod-east", "--label", "env=prod", "--label", "region=eu",
		"--kubeconfig", kc, "--secret-namespace", "gitwave")
	if code != 0 {
		t.Fatalf("cluster add: exit %d: %s", code, errOut)
	}
	var secret corev1.Secret
	if err := yaml.UnmarshalStrict([]byte(out), &secret); err != nil {
		t.Fatalf("cluster add printed no Secret: %v\n%s", err, out)
	}
	if secret.Labels[config.ArgoSecretTypeLabel] != "cluster" || secret.Labels["env"] != "prod" || secret.StringData["name"] != "prod-east" {
		t.Errorf("Secret labels %v, name %q", secret.Labels, secret.StringData["name"])
	}
	var conf config.ArgoClusterConfig
	if err := json.Unmarshal([]byte(secret.StringData["config"]), &conf); err != nil || conf.BearerToken == "" || len(conf.TLSClientConfig.CAData) == 0 {
		t.Fatalf("config %q: %v", secret.StringData["config"], err)
	}
	managed := kubernetes.NewForConfigOrDie(&rest.Config{Host: secret.StringData["server"], BearerToken: conf.BearerToken,
		TLSClientConfig: rest.TLSClientConfig{CAData: conf.TLSClientConfig.CAData}})
	if _, err := managed.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("the printed token cannot list namespaces: %v", err)
	}
	if _, err := managed.CoreV1().ConfigMaps("default").Create(ctx, configMap("by-token"), metav1.CreateOptions{}); err != nil {
		t.Errorf("the printed token cannot create a ConfigMap: %v", err)
	}

	// The hub keeps the Secret in clusterSecrets' namespace.
	secret.Namespace = "gitwave"
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "gitwave"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().Secrets("gitwave").Create(ctx, &secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(t.TempDir(), "gitwave.yaml")
	writeFile(t, cfgFile, "clusterSecrets: {namespace: gitwave, kubeconfig: "+kc+", context: east}\n")
	out, errOut, code = run(t, "cluster", "list", "--config", cfgFile, "--repo", example(t).Dir)
	if code != 0 || !strings.Contains(out, "prod-east") || !strings.Contains(out, "env=prod,region=eu") || !strings.Contains(out, "yes") || !strings.Contains(out, "v1.") {
		t.Errorf("cluster list: exit %d\n%s%s", code, out, errOut)
	}
	checkHubWatcher(t, admin, kc, &secret)

	rm(t, kc)
	if _, err := managed.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); err == nil {
		t.Error("the token still works after cluster rm")
	}
	assertGone(t, admin)

	// Namespaced: the token reaches team-a only.
	tokenFile := filepath.Join(t.TempDir(), "east.token")
	out, errOut, code = run(t, "cluster", "add", "east", "--name", "east-a", "--namespaced", "team-a", "-o", "config",
		"--token-file", tokenFile, "--kubeconfig", kc)
	if code != 0 {
		t.Fatalf("cluster add --namespaced: exit %d: %s", code, errOut)
	}
	var entry struct{ Clusters []config.Cluster }
	if err := yaml.Unmarshal([]byte(out), &entry); err != nil || len(entry.Clusters) != 1 || entry.Clusters[0].TokenFile != tokenFile {
		t.Fatalf("-o config printed %q: %v", out, err)
	}
	cc := applier.ClusterConfig{Name: "east-a", Server: entry.Clusters[0].Server, TokenFile: tokenFile, CAData: []byte(entry.Clusters[0].CAData)}
	rc, err := cc.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	scoped := kubernetes.NewForConfigOrDie(rc)
	if _, err := scoped.CoreV1().ConfigMaps("team-a").Create(ctx, configMap("in-scope"), metav1.CreateOptions{}); err != nil {
		t.Errorf("the namespaced token cannot create in team-a: %v", err)
	}
	if _, err := scoped.CoreV1().ConfigMaps("default").Create(ctx, configMap("out-of-scope"), metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("the namespaced token creating in default: err = %v, want Forbidden", err)
	}
	if _, err := scoped.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("the namespaced token listing namespaces: err = %v, want Forbidden", err)
	}
	rm(t, kc)
	assertGone(t, admin)
	if _, err := admin.RbacV1().Roles("team-a").Get(ctx, applier.ManagerRole, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Role in team-a after rm: err = %v, want NotFound", err)
	}
}

// checkHubWatcher: serve's watcher of the hub's cluster Secrets adds the
// cluster to the Fleet, uses a rotated token at the next request without a
// new Manager, and drops the cluster when its Secret is deleted.
func checkHubWatcher(t *testing.T, admin kubernetes.Interface, kc string, secret *corev1.Secret) {
	t.Helper()
	ctx := context.Background()
	fleet, err := applier.NewFleet(nil, applier.FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	w, err := newHubWatcher(config.ClusterSecrets{Namespace: "gitwave", Kubeconfig: kc, Context: "east"}, fleet, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	pcs, err := w.refresh(ctx)
	if err != nil || len(pcs) != 1 || pcs[0].Name != "prod-east" || pcs[0].Labels["env"] != "prod" {
		t.Fatalf("hub clusters %+v, %v", pcs, err)
	}
	if cs := w.Clusters(); len(cs) != 1 || cs[0].Name != "prod-east" {
		t.Errorf("the planner's hub clusters = %+v, want prod-east", cs)
	}
	m := fleet.Manager("prod-east")
	if _, err := m.ServerVersion(ctx); err != nil {
		t.Fatalf("the cluster from the hub's Secret: %v", err)
	}
	if _, err := m.NamespaceExists(ctx, "default"); err != nil {
		t.Fatalf("the Secret's token: %v", err)
	}
	// Rotate the Secret's token to one the cluster refuses.
	rotated := secret.DeepCopy()
	rotated.StringData["config"] = strings.Replace(rotated.StringData["config"], `"bearerToken":"`, `"bearerToken":"revoked-`, 1)
	if _, err := admin.CoreV1().Secrets("gitwave").Update(ctx, rotated, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if fleet.Manager("prod-east") != m {
		t.Error("a rotated token replaced the Manager")
	}
	if _, err := m.NamespaceExists(ctx, "default"); !apierrors.IsUnauthorized(err) {
		t.Errorf("after the rotation to a revoked token: err = %v, want Unauthorized", err)
	}
	if err := admin.CoreV1().Secrets("gitwave").Delete(ctx, secret.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if fleet.Manager("prod-east") != nil || len(w.Clusters()) != 0 {
		t.Error("the cluster stayed after its Secret was deleted")
	}
}

func rm(t *testing.T, kc string) {
	t.Helper()
	if out, errOut, code := run(t, "cluster", "rm", "east", "--kubeconfig", kc); code != 0 || !strings.Contains(out, "deleted namespaces gitwave-system") {
		t.Fatalf("cluster rm: exit %d\n%s%s", code, out, errOut)
	}
}

// assertGone waits for the gitwave-system namespace to finish terminating
// and checks the cluster-wide RBAC is gone.
func assertGone(t *testing.T, admin kubernetes.Interface) {
	t.Helper()
	ctx := context.Background()
	if _, err := admin.RbacV1().ClusterRoleBindings().Get(ctx, applier.ManagerRoleBinding, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("ClusterRoleBinding after rm: err = %v, want NotFound", err)
	}
	if _, err := admin.RbacV1().ClusterRoles().Get(ctx, applier.ManagerRole, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("ClusterRole after rm: err = %v, want NotFound", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := admin.CoreV1().Namespaces().Get(ctx, applier.ManagerNamespace, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("namespace %s still there 60s after rm: %v", applier.ManagerNamespace, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func configMap(name string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": "v"}}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
