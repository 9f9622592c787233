package bot_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/store"
)

// TestSourcePRAndMergeOnClusters is a pull request in org/k8s-apps on two
// real production clusters: its comment diffs payment-service, which
// org/k8s-gitops's microservices ApplicationSet reads from k8s-apps,
// against the live clusters; its merge deploys v2.4.0 there.
func TestSourcePRAndMergeOnClusters(t *testing.T) {
	e := needEnv(t)
	f := newGuideFixture(t, "bob", e)

	f.openPR(1, f.guide.PR.HeadSHA)
	comment := f.comment(guideApps, 1)
	for _, bad := range []string{"is not configured in gitwave", "cannot be reached"} {
		if strings.Contains(comment, bad) {
			t.Errorf("comment says %q although every cluster answers:\n%s", bad, comment)
		}
	}
	for _, c := range []string{"production-use1", "production-apne2"} {
		if row := "| `payment-service-" + c + "` | `" + c + "` |"; !strings.Contains(comment, row) {
			t.Errorf("comment has no row %q:\n%s", row, comment)
		}
	}

	f.mergePR()
	got := f.comment(guideApps, 1)
	for _, w := range []string{"<!-- gitwave:deploy -->", "through `org/k8s-gitops`", "merge of #1 by bob",
		"| `payment-service-production-use1` | :white_check_mark: Succeeded |", "| `payment-service-production-apne2` | :white_check_mark: Succeeded |"} {
		if !strings.Contains(got, w) {
			t.Errorf("deploy comment lacks %q:\n%s", w, got)
		}
	}
	for _, c := range []string{"production-use1", "production-apne2"} {
		dyn := dynamic.NewForConfigOrDie(e.RESTConfig(c))
		if img := image(t, dyn, "payment-service", "payment-service"); img != "registry.internal/payment-service:v2.4.0" {
			t.Errorf("payment-service on %s runs %s; want v2.4.0", c, img)
		}
	}
}

// TestSourceMergeAlreadyRunningIsNotSyncedAgain merges pull request 1 in
// org/k8s-apps, then pull request 2, v2.5.0. Before gitwave works the
// second merge, production-use1 already runs v2.5.0 (as after the loop healed it
// from the new commit), production-apne2 does not. A source repository's
// merge deploys at the roots repository's revision, which history already
// holds, so only the live cluster can tell: production-use1 gets no
// redundant merge sync, production-apne2 is synced.
func TestSourceMergeAlreadyRunningIsNotSyncedAgain(t *testing.T) {
	e := needEnv(t)
	f := newGuideFixture(t, "bob", e)
	f.mergePR()
	const use1, apne2 = "payment-service-production-use1", "payment-service-production-apne2"
	before := map[string]int{use1: mergeSyncs(t, f, use1), apne2: mergeSyncs(t, f, apne2)}
	if before[use1] == 0 || before[apne2] == 0 {
		t.Fatalf("the merge synced nothing: history %v", before)
	}

	values, err := os.ReadFile(filepath.Join(f.guide.Dirs["k8s-apps"], "apps/payment-service/values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	next := f.commit("k8s-apps", "v2.5", map[string]string{
		"apps/payment-service/values.yaml": strings.Replace(string(values), "tag: v2.4.0", "tag: v2.5.0", 1)})
	setImage(t, dynamic.NewForConfigOrDie(e.RESTConfig("production-use1")), "payment-service", "payment-service", "registry.internal/payment-service:v2.5.0")
	f.mergeSourcePR(2, "v2.5", next)

	if n := mergeSyncs(t, f, use1); n != before[use1] {
		t.Logf("deploy comment:\n%s", f.comment(guideApps, 2))
		t.Errorf("%s was synced again by the merge although its cluster ran v2.5.0: %d merge syncs, want %d", use1, n, before[use1])
	}
	if n := mergeSyncs(t, f, apne2); n != before[apne2]+1 {
		t.Errorf("%s: %d merge syncs after the second merge, want %d", apne2, n, before[apne2]+1)
	}
	// History names the k8s-apps commit the sync read, beside the roots
	// revision it deployed at.
	if h, err := f.store.History(context.Background(), apne2, "production-apne2", 1); err != nil || len(h) != 1 ||
		!strings.Contains(h[0].Sources, "k8s-apps") || !strings.Contains(h[0].Sources, "("+next[:7]+")") {
		t.Errorf("newest sync of %s: %+v, %v; want its sources to name k8s-apps at %s", apne2, h, err, next[:7])
	}
	for _, c := range []string{"production-use1", "production-apne2"} {
		if img := image(t, dynamic.NewForConfigOrDie(e.RESTConfig(c)), "payment-service", "payment-service"); img != "registry.internal/payment-service:v2.5.0" {
			t.Errorf("payment-service on %s runs %s; want v2.5.0", c, img)
		}
	}
}

// mergeSyncs counts the syncs of app that merges started; the loop's own
// (which the clusters' state left by other tests may cause) do not count.
func mergeSyncs(t *testing.T, f *guideFixture, app string) int {
	t.Helper()
	h, err := f.store.History(context.Background(), app, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range h {
		if r.Trigger == store.TriggerMerge {
			n++
		}
	}
	return n
}

// setImage changes a Deployment's first container image as another field
// manager would.
func setImage(t *testing.T, c dynamic.Interface, ns, name, img string) {
	t.Helper()
	d, err := c.Resource(deployments).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	cs[0].(map[string]any)["image"] = img
	if err := unstructured.SetNestedSlice(d.Object, cs, "spec", "template", "spec", "containers"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resource(deployments).Namespace(ns).Update(context.Background(), d, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
}

// mergeSourcePR fast-forwards main of org/k8s-apps to branch at head and
// delivers the merge of pull request n by bob.
func (f *guideFixture) mergeSourcePR(n int, branch, head string) {
	f.t.Helper()
	cmd := exec.Command("git", "merge", "-q", "--ff-only", branch)
	cmd.Dir = f.guide.Dirs["k8s-apps"]
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		f.t.Fatalf("git merge %s: %v: %s", branch, err, out)
	}
	base := f.guide.PR.HeadSHA
	f.gh.AddPullRequest(guideApps, hostfake.PullRequest{Number: n, Title: "merge " + branch, Author: "bob", Head: branch, Base: "main",
		HeadSHA: head, BaseSHA: base, State: "closed", Merged: true, MergeSHA: head})
	f.webhook(guideApps, hostfake.GitHubWebhook{Example: "pull_request.closed", Number: n, HeadSHA: head, HeadRef: branch,
		BaseSHA: base, BaseRef: "main", Merged: true, MergeSHA: head, Sender: "bob"})
}
