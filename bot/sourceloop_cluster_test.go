package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/dynamic"
)

// TestLoopFollowsACommitInASourceRepository: a commit lands on main of
// org/k8s-apps with no webhook (a missed event). The roots repository
// org/k8s-gitops did not move, yet the next loop pass renders
// payment-service with the new commit, finds it behind, deploys it, and
// records the k8s-apps commit in history, as Argo CD's automated sync
// compares every source's revision.
func TestLoopFollowsACommitInASourceRepository(t *testing.T) {
	e := needEnv(t)
	f := newGuideFixture(t, "bob", e)
	ctx := context.Background()
	if err := f.bot.ReconcileOnce(ctx); err != nil {
		t.Fatal(err)
	}
	use1 := dynamic.NewForConfigOrDie(e.RESTConfig("production-use1"))
	if img := image(t, use1, "payment-service", "payment-service"); img != "registry.internal/payment-service:v2.3.1" {
		t.Fatalf("after the first pass payment-service runs %q; want v2.3.1 from main", img)
	}
	values, err := os.ReadFile(filepath.Join(f.guide.Dirs["k8s-apps"], "apps/payment-service/values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	next := f.commit("k8s-apps", "main", map[string]string{
		"apps/payment-service/values.yaml": strings.Replace(string(values), "tag: v2.3.1", "tag: v2.6.0", 1)})
	if err := f.bot.ReconcileOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if img := image(t, use1, "payment-service", "payment-service"); img != "registry.internal/payment-service:v2.6.0" {
		t.Errorf("after a commit in k8s-apps the loop left payment-service at %q; want v2.6.0", img)
	}
	h, err := f.store.History(ctx, "payment-service-production-use1", "production-use1", 1)
	if err != nil || len(h) != 1 || !strings.Contains(h[0].Sources, "("+next[:7]+")") {
		t.Errorf("newest sync of payment-service-production-use1: %+v, %v; want its sources to name k8s-apps at %s", h, err, next[:7])
	}
}
