package bot_test

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/store"
)

// paymentDenied is the destination violation of payment-service on a
// cluster whose server the test environment chooses.
const paymentDenied = "namespace payment-service is not permitted by destinations (denied by entry {name: -, server: *, namespace: !payment-service})"

// TestProjectsRefuseMergeSyncAndSelfHeal: with mainProjects on the default
// branch, merging pull request 1 deploys what the projects permit and
// nothing of payment-service, saying which rule of which project refused
// it; /sync refuses it the same way; and when the default branch later
// forbids inventory-service, self-heal no longer syncs it back.
func TestProjectsRefuseMergeSyncAndSelfHeal(t *testing.T) {
	e := needEnv(t)
	f := newFixture(t, fixtureOptions{Env: e, Author: "carol"})
	ctx := context.Background()
	staging := dynamic.NewForConfigOrDie(e.RESTConfig("staging"))
	// The clusters are shared: an earlier test may have deployed
	// payment-service. It starts absent, so that anything applied shows.
	gone := map[string][]string{}
	for _, c := range e.Names() {
		gone[c] = []string{"payment-service"}
	}
	deleteNamespaces(t, e, gone)
	rebaseOnProjects(t, f)

	t.Run("merge deploys nothing of the refused app", func(t *testing.T) {
		merge(t, f)
		got := f.lastReply()
		for _, w := range []string{"- `payment-service-staging`: `refused by its AppProject, nothing applied: project applications: destination cluster staging",
			paymentDenied, "| `inventory-service-staging` | :white_check_mark: Succeeded |"} {
			if !strings.Contains(got, w) {
				t.Errorf("deploy comment lacks %q:\n%s", w, got)
			}
		}
		for _, c := range e.Names() {
			cs := kubernetes.NewForConfigOrDie(e.RESTConfig(c))
			if _, err := cs.CoreV1().Namespaces().Get(ctx, "payment-service", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Errorf("namespace payment-service was applied on %s (get: %v); want nothing applied", c, err)
			}
		}
		if _, err := staging.Resource(deployments).Namespace("payment-service").Get(ctx, "payment-service", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("payment-service was applied on staging (get: %v); want nothing applied", err)
		}
		if h, err := f.store.History(ctx, "payment-service-staging", "staging", 0); err != nil || len(h) != 0 {
			t.Errorf("syncs of payment-service-staging recorded = %d, %v; want none", len(h), err)
		}
	})

	t.Run("/sync is refused the same way", func(t *testing.T) {
		f.comment("carol", "/sync payment-service-staging")
		f.run()
		if got := f.lastReply(); !strings.Contains(got, "refused by its AppProject, nothing applied: project applications: destination cluster staging") ||
			!strings.Contains(got, paymentDenied) {
			t.Errorf("/sync answer does not say which rule refused payment-service:\n%s", got)
		}
		if _, err := staging.Resource(deployments).Namespace("payment-service").Get(ctx, "payment-service", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("/sync applied payment-service on staging (get: %v)", err)
		}
		if h, err := f.store.History(ctx, "payment-service-staging", "staging", 0); err != nil || len(h) != 0 {
			t.Errorf("syncs of payment-service-staging recorded after /sync = %d, %v; want none", len(h), err)
		}
	})

	t.Run("self-heal is refused once the project forbids the app", func(t *testing.T) {
		forbidden := strings.Replace(mainProjects, "- {server: '*', namespace: '!payment-service'}",
			"- {server: '*', namespace: '!payment-service'}\n    - {server: '*', namespace: '!inventory-service'}", 1)
		tip := commitFiles(t, f, examplerepo.MainBranch, map[string]string{"projects/projects.yaml": forbidden})
		drift(t, staging, "drifted")
		if err := f.bot.ReconcileOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if v := liveLogLevel(t, staging); v != "drifted" {
			t.Errorf("LOG_LEVEL = %q after self-heal; want the drift left alone, the heal refused", v)
		}
		if rec := lastSync(t, f.store, "inventory-service-staging", "staging"); rec.Trigger != store.TriggerMerge {
			t.Errorf("last sync of inventory-service-staging = %s; want the merge, no self-heal", rec.Trigger)
		}
		if s := f.status(tip, "gitwave/drift"); s.State != "failure" || !strings.Contains(s.Description, "inventory-service-staging@staging") {
			t.Errorf("gitwave/drift on the new tip = %+v; want a failure naming inventory-service-staging", s)
		}
	})
}

// rebaseOnProjects commits mainProjects to the default branch and moves
// pull request 1 on top of it, on the double too.
func rebaseOnProjects(t *testing.T, f *fixture) {
	t.Helper()
	base := commitFiles(t, f, examplerepo.MainBranch, map[string]string{"projects/projects.yaml": mainProjects})
	gitIn(t, f, "rebase", "-q", examplerepo.MainBranch, examplerepo.PRBranch)
	head := gitIn(t, f, "rev-parse", examplerepo.PRBranch)
	gitIn(t, f, "checkout", "-q", examplerepo.MainBranch)
	f.ex.BaseSHA, f.ex.HeadSHA = base, head
	f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: "carol",
		Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: head, BaseSHA: base})
}

// drift sets LOG_LEVEL of inventory-service's live ConfigMap on staging.
func drift(t *testing.T, staging dynamic.Interface, value string) {
	t.Helper()
	ctx := context.Background()
	cm, err := staging.Resource(configMaps).Namespace("inventory-service").Get(ctx, "inventory-service-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = unstructured.SetNestedField(cm.Object, value, "data", "LOG_LEVEL")
	if _, err := staging.Resource(configMaps).Namespace("inventory-service").Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func liveLogLevel(t *testing.T, staging dynamic.Interface) string {
	t.Helper()
	cm, err := staging.Resource(configMaps).Namespace("inventory-service").Get(context.Background(), "inventory-service-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, _, _ := unstructured.NestedString(cm.Object, "data", "LOG_LEVEL")
	return v
}
