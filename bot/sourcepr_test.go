package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/store"
)

// TestSourcePRCommentsAppsReadingIt opens pull request 1 in org/k8s-apps,
// which holds no Applications: the comment lists the apps of
// org/k8s-gitops's default branch that read apps/payment-service, on both
// production clusters, with the diff from the pull request's head, and the
// policy of org/k8s-gitops lets bob (payment-team) change it.
func TestSourcePRCommentsAppsReadingIt(t *testing.T) {
	f := newGuideFixture(t, "bob", nil)
	f.openPR(1, f.guide.PR.HeadSHA)
	got := f.comment(guideApps, 1)
	for _, w := range []string{"<!-- gitwave:diff -->", "`payment-service-production-use1`", "`payment-service-production-apne2`",
		"registry.internal/payment-service:v2.4.0", "+  FRAUD_CHECK: enabled",
		"Sources: `https://github.com/org/k8s-apps.git@main (" + f.guide.PR.HeadSHA[:7] + ")`"} {
		if !strings.Contains(got, w) {
			t.Errorf("comment lacks %q:\n%s", w, got)
		}
	}
	for _, bad := range []string{"order-service-", "notification-service-", "prometheus-", "cert-manager"} {
		if strings.Contains(got, bad) {
			t.Errorf("comment shows %s, which does not read the change:\n%s", bad, got)
		}
	}
	if s := f.status(f.guide.PR.HeadSHA, "gitwave/policy"); s.State != "success" {
		t.Errorf("gitwave/policy = %+v; want success for bob's own service", s)
	}
	if s := f.status(f.guide.PR.HeadSHA, "gitwave/diff"); s.State != "success" || !strings.Contains(s.Description, "2 app(s) change") {
		t.Errorf("gitwave/diff = %+v; want success with 2 apps", s)
	}
}

// TestSourcePRPolicyIsTheRootsRepositorys checks that a pull request in
// org/k8s-apps is held to org/k8s-gitops's policy on its files as
// "org/k8s-apps:path", and that a policy file or Application the pull
// request adds to org/k8s-apps grants nothing and defines no app.
func TestSourcePRPolicyIsTheRootsRepositorys(t *testing.T) {
	f := newGuideFixture(t, "mallory", nil)
	head := f.commit("k8s-apps", "attack", map[string]string{
		"apps/payment-service/values.yaml": "replicaCount: 9\nimage:\n  repository: evil.example/miner\n  tag: latest\n",
		"policies/policy.csv":              "p, mallory, paths, modify, **, allow\np, mallory, paths, modify, org/k8s-apps:**, allow\n",
		".gitwave.yaml":                    "apps: [root-apps]\npolicy: policies/policy.csv\n",
		"root-apps/evil.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: evil}\nspec:\n" +
			"  source: {repoURL: 'https://github.com/org/k8s-apps.git', path: apps/payment-service}\n" +
			"  destination: {name: production-use1, namespace: evil}\n  syncPolicy: {automated: {}}\n",
	})
	pr := f.gh.PullRequests(guideApps)[0]
	pr.HeadSHA, pr.Head = head, "attack"
	f.gh.AddPullRequest(guideApps, pr)
	f.openPR(1, head)
	got := f.comment(guideApps, 1)
	if strings.Contains(got, "`evil`") {
		t.Errorf("the pull request defined an app:\n%s", got)
	}
	if !strings.Contains(got, "`org/k8s-apps:apps/payment-service/values.yaml` needs a `paths, modify` grant") {
		t.Errorf("comment does not deny mallory org/k8s-apps:apps/payment-service/values.yaml:\n%s", got)
	}
	if s := f.status(head, "gitwave/policy"); s.State != "failure" {
		t.Errorf("gitwave/policy = %+v; want failure: the pull request's own policy file must grant nothing", s)
	}
}

// TestSourceMergeDeploysAppsReadingIt merges pull request 1 in
// org/k8s-apps with no cluster configured: the deploy comment on it names
// the automated apps of org/k8s-gitops that read the change, as a merge
// in the roots repository does.
func TestSourceMergeDeploysAppsReadingIt(t *testing.T) {
	f := newGuideFixture(t, "bob", nil)
	f.mergePR()
	got := f.comment(guideApps, 1)
	for _, w := range []string{"<!-- gitwave:deploy -->", "through `org/k8s-gitops`", "merge of #1 by bob", "payment-service-production-use1"} {
		if !strings.Contains(got, w) {
			t.Errorf("deploy comment lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "order-service-") {
		t.Errorf("deploy comment shows order-service, which does not read the change:\n%s", got)
	}
	if h, _ := f.store.History(context.Background(), "order-service-production-use1", "", 0); len(h) != 0 {
		t.Errorf("order-service was synced %d times", len(h))
	}
	// The merge makes the loop of org/k8s-gitops, whose apps read the
	// change, run at once, not only that of org/k8s-apps.
	if rows, err := f.store.AppStatuses(context.Background(), store.AppStatusFilter{Repo: "org/k8s-gitops", App: "payment-service-production-use1"}); err != nil || len(rows) != 1 {
		t.Errorf("status of payment-service-production-use1 after the merge: %v %+v; want the roots repository's loop to have run", err, rows)
	}
}

// TestSourcePRToAnotherBranchReadsNoApp opens a pull request in
// org/k8s-apps into branch release: the apps read main, so none of them
// is diffed, and the comment says no app reads the change.
func TestSourcePRToAnotherBranchReadsNoApp(t *testing.T) {
	f := newGuideFixture(t, "bob", nil)
	f.commit("k8s-apps", "release", map[string]string{"RELEASE": "release branch\n"})
	head := f.commit("k8s-apps", "feature", map[string]string{"apps/payment-service/values.yaml": "replicaCount: 3\n"})
	f.gh.AddPullRequest(guideApps, hostfake.PullRequest{Number: 2, Title: "into release", Author: "bob",
		Head: "feature", Base: "release", HeadSHA: head})
	f.webhook(guideApps, hostfake.GitHubWebhook{Example: "pull_request.opened", Number: 2, HeadSHA: head,
		HeadRef: "feature", BaseRef: "release", Sender: "bob"})
	got := f.comment(guideApps, 2)
	if strings.Contains(got, "payment-service-production") {
		t.Errorf("a pull request into release diffs apps that read main:\n%s", got)
	}
	if !strings.Contains(got, "No app defined on the default branch of a served repository reads the files") {
		t.Errorf("comment does not say that no app reads the change:\n%s", got)
	}
}

// TestSourcePRSyncIsRefused checks that /sync in a pull request of
// org/k8s-apps deploys nothing and says where it runs.
func TestSourcePRSyncIsRefused(t *testing.T) {
	f := newGuideFixture(t, "bob", nil)
	f.openPR(1, f.guide.PR.HeadSHA)
	id := f.gh.AddComment(guideApps, 1, hostfake.Comment{Author: "carol", Body: "/sync payment-service-production-use1"})
	f.webhook(guideApps, hostfake.GitHubWebhook{Example: "issue_comment.created", Number: 1, CommentID: id,
		CommentBody: "/sync payment-service-production-use1", Sender: "carol", SenderType: "User"})
	if got := f.comment(guideApps, 1); !strings.Contains(got, "`org/k8s-apps` holds no Application") {
		t.Errorf("/sync answer:\n%s", got)
	}
	if h, _ := f.store.History(context.Background(), "payment-service-production-use1", "", 0); len(h) != 0 {
		t.Errorf("payment-service was synced %d times", len(h))
	}
}
