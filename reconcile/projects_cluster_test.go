package reconcile

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/planner"
)

// teamProject permits every repository, every cluster and every namespace
// but kube-* (a "!" entry), every namespaced kind and no cluster-scoped
// kind. deny adds more "!" namespaces.
func teamProject(deny ...string) string {
	s := `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: team, namespace: argocd}
spec:
  sourceRepos: ['*']
  destinations:
    - {server: '*', namespace: '*'}
    - {server: '*', namespace: '!kube-*'}
`
	for _, ns := range deny {
		s += "    - {server: '*', namespace: '!" + ns + "'}\n"
	}
	return s
}

// teamApp is an Application of project team deploying path to namespace
// on east, creating the namespace when it is missing.
func teamApp(name, path, namespace string) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ` + name + `}
spec:
  project: team
  source: {repoURL: ` + repoURL + `, path: ` + path + `}
  destination: {name: east, namespace: ` + namespace + `}
  syncPolicy: {automated: {selfHeal: true}, syncOptions: [CreateNamespace=true]}
`
}

// volumeClass is a cluster-scoped kind that the planner, which does not
// know it, takes for a namespaced one.
const volumeClass = "apiVersion: storage.k8s.io/v1\nkind: VolumeAttributesClass\nmetadata: {name: pj-gold}\ndriverName: example.csi.k8s.io\nparameters: {iops: '3000'}\n"

func createNamespace(t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	_, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// TestSyncRefusesWhatTheProjectForbids syncs four apps of one project on
// a real cluster: the permitted one is applied; the one with a kind the
// cluster serves as cluster-scoped, the one whose missing namespace
// CreateNamespace would create, and the one deploying to a denied
// namespace apply nothing and say which rule of which project refused
// which object.
func TestSyncRefusesWhatTheProjectForbids(t *testing.T) {
	repo := fstest.MapFS{
		"projects/team.yaml": {Data: []byte(teamProject())},
		"apps/pj-ok.yaml":    {Data: []byte(teamApp("pj-ok", "cm", "pj-ok"))},
		"apps/pj-class.yaml": {Data: []byte(teamApp("pj-class", "class", "pj-ok"))},
		"apps/pj-new.yaml":   {Data: []byte(teamApp("pj-new", "cm", "pj-new"))},
		"apps/pj-kube.yaml":  {Data: []byte(teamApp("pj-kube", "cm", "kube-public"))},
		"cm/cm.yaml":         {Data: []byte(configMap("pj-settings", "1"))},
		"class/class.yaml":   {Data: []byte(volumeClass)},
	}
	r, src, inv := fixture(t, repo)
	cs := kubernetes.NewForConfigOrDie(shared.Need(t).RESTConfig("east"))
	createNamespace(t, cs, "pj-ok")

	// Without the cluster, the planner takes the VolumeAttributesClass for
	// a namespaced object, which the project permits.
	projs, _ := planner.LoadProjects(t.Context(), src)
	class := inv.App(planner.AppKey{App: "pj-class", Cluster: "east"})
	plan, err := r.Planner.Plan(t.Context(), inv, src.Repo, class)
	if err != nil {
		t.Fatal(err)
	}
	if v := projs.Check(class, plan.Objects, nil); len(v) != 0 {
		t.Fatalf("with the planner's scope: %v; want none", v)
	}

	want := map[string]string{
		"pj-ok":    "",
		"pj-class": "project team: VolumeAttributesClass/pj-gold (storage.k8s.io) is not in clusterResourceWhitelist",
		"pj-new":   "project team: Namespace/pj-new is not in clusterResourceWhitelist",
		"pj-kube":  "namespace kube-public is not permitted by destinations (denied by entry {name: -, server: *, namespace: !kube-*})",
	}
	for _, res := range r.Sync(t.Context(), src, inv, inv.Apps, SyncOptions{Trigger: "cli"}) {
		w := want[res.App.Name]
		var pe *planner.ProjectError
		switch {
		case w == "" && res.Err != nil:
			t.Errorf("%s: %v; want it synced", res.App.Name, res.Err)
		case w != "" && (!errors.As(res.Err, &pe) || !strings.Contains(res.Err.Error(), w) || res.Result != nil):
			t.Errorf("%s: result %v, error %v; want nothing applied and %q", res.App.Name, res.Result, res.Err, w)
		}
	}
	if _, err := cs.CoreV1().ConfigMaps("pj-ok").Get(t.Context(), "pj-settings", metav1.GetOptions{}); err != nil {
		t.Errorf("the permitted app was not applied: %v", err)
	}
	if _, err := cs.CoreV1().Namespaces().Get(t.Context(), "pj-new", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace pj-new was created (get: %v); want the refused app to create nothing", err)
	}
	if _, err := cs.CoreV1().ConfigMaps("kube-public").Get(t.Context(), "pj-settings", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the app denied kube-public applied its ConfigMap there (get: %v)", err)
	}
	if _, err := cs.StorageV1().VolumeAttributesClasses().Get(t.Context(), "pj-gold", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the VolumeAttributesClass was applied (get: %v)", err)
	}
}

// TestSelfHealRefusedByProject deploys an app, lets the trusted projects
// forbid its namespace, drifts it, and heals: the heal applies nothing
// and says why, and the drift stays.
func TestSelfHealRefusedByProject(t *testing.T) {
	repo := fstest.MapFS{
		"projects/team.yaml": {Data: []byte(teamProject())},
		"apps/pj-heal.yaml":  {Data: []byte(teamApp("pj-heal", "cm", "pj-heal"))},
		"cm/cm.yaml":         {Data: []byte(configMap("pj-settings", "1"))},
	}
	r, src, inv := fixture(t, repo)
	cs := kubernetes.NewForConfigOrDie(shared.Need(t).RESTConfig("east"))
	createNamespace(t, cs, "pj-heal")
	if res := r.Sync(t.Context(), src, inv, inv.Apps, SyncOptions{Trigger: "cli"}); res[0].Err != nil {
		t.Fatalf("first sync: %v", res[0].Err)
	}
	trusted := fstest.MapFS{"projects/team.yaml": {Data: []byte(teamProject("pj-heal"))}}
	r.Projects = func(ctx context.Context, _ planner.Source) (*planner.Projects, error) {
		p, _ := planner.LoadProjects(ctx, planner.Source{Repo: trusted, Revision: "main"})
		return p, nil
	}
	cm, err := cs.CoreV1().ConfigMaps("pj-heal").Get(t.Context(), "pj-settings", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["value"] = "drifted"
	if _, err := cs.CoreV1().ConfigMaps("pj-heal").Update(t.Context(), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The watch cache sees the edit a moment after it happens (see
	// applier's driftEventually): wait for the drift before healing it.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if r.Drift(t.Context(), inv.Apps, DriftOptions{})[0].Drifted {
			break
		}
	}
	d := r.Drift(t.Context(), inv.Apps, DriftOptions{Heal: true})[0]
	var pe *planner.ProjectError
	if !d.Drifted || d.Heal == nil || !errors.As(d.Heal.Err, &pe) ||
		!strings.Contains(d.Heal.Err.Error(), "project team: destination cluster east") ||
		!strings.Contains(d.Heal.Err.Error(), "namespace pj-heal is not permitted by destinations (denied by entry {name: -, server: *, namespace: !pj-heal})") {
		t.Fatalf("drift %+v, heal %+v; want the heal refused by the project's destinations", d, d.Heal)
	}
	cm, err = cs.CoreV1().ConfigMaps("pj-heal").Get(t.Context(), "pj-settings", metav1.GetOptions{})
	if err != nil || cm.Data["value"] != "drifted" {
		t.Errorf("ConfigMap value = %q (%v); want the drift left, nothing applied", cm.Data["value"], err)
	}
}
