package bot_test

import (
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/hack/examplerepo"
)

// evilApp is an Application named to match the payment team's sync grant
// (applications/payment-*), deploying to kube-system on staging.
const evilApp = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: payment-evil
  namespace: argocd
spec:
  project: applications
  source:
    repoURL: https://github.com/acme/k8s-gitops.git
    targetRevision: main
    path: evil
  destination:
    name: staging
    namespace: kube-system
`

// evilBinding makes bob cluster-admin.
const evilBinding = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: bob-is-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: User
    name: bob
    apiGroup: rbac.authorization.k8s.io
`

// TestSyncInPRDeploysOnlyReviewedHeads: /sync in an open pull request is
// refused, naming the rule, when the head adds or retargets an app, when
// its author may not make the change, or when the head is not the one
// gitwave diffed. (No cluster is configured, so a sync that runs fails
// with "no cluster is configured": that answer means it was authorized.)
func TestSyncInPRDeploysOnlyReviewedHeads(t *testing.T) {
	newApp := map[string]string{"applications/payment-evil.yaml": evilApp, "evil/crb.yaml": evilBinding}
	tests := []struct {
		name, author, command string
		files                 func(f *fixture) map[string]string
		want                  []string
	}{
		{
			name: "a new app and a ClusterRoleBinding by an author the policy denies", author: "bob",
			command: "/sync payment-evil", files: func(*fixture) map[string]string { return newApp },
			want: []string{"Nothing was synced", "does not let `bob` make this one", "`applications/payment-evil.yaml` needs a `paths, modify` grant"},
		},
		{
			name: "a new app by an author who may change every path", author: "carol",
			command: "/sync payment-evil", files: func(*fixture) map[string]string { return newApp },
			want: []string{"No app was synced.", "`payment-evil` on `staging`: :no_entry: the default branch has no app `payment-evil` on cluster `staging`",
				"cannot add or retarget an app"},
		},
		{
			name: "an app moved to kube-system", author: "carol", command: "/sync payment-service-staging",
			files: func(f *fixture) map[string]string {
				set := f.readFile("applications/microservices.yaml")
				return map[string]string{"applications/microservices.yaml": strings.Replace(set, "namespace: '{{.service}}'", "namespace: kube-system", 1)}
			},
			want: []string{"No app was synced.", "its destination namespace is `kube-system` here but `payment-service` on the default branch"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			f.commitOn("pr/2", tt.files(f))
			f.openPR(2, tt.author, "pr/2")
			got := f.commandOn(2, "bob", tt.command)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("answer lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(got, "no cluster is configured") {
				t.Errorf("the sync ran:\n%s", got)
			}
		})
	}
}

// TestSyncInPRNeedsTheDiffedHead: a push the bot has not diffed yet makes
// /sync refresh the diff and ask for the command again; the second /sync
// deploys the head the comment now shows.
func TestSyncInPRNeedsTheDiffedHead(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.commitOn("pr/2", map[string]string{"apps/payment-service/values-staging.yaml": "replicaCount: 3\n"})
	head1 := f.openPR(2, "bob", "pr/2")
	head2 := f.commitOn("pr/2", map[string]string{"apps/payment-service/values-staging.yaml": "replicaCount: 5\n"})
	f.setPR(2, "bob", "pr/2") // pushed, but the synchronize webhook has not been handled

	got := f.commandOn(2, "bob", "/sync payment-service-staging")
	for _, w := range []string{"Nothing was synced", "the head of this pull request is `" + head2[:12] + "`", "gitwave last diffed `" + head1[:12] + "`"} {
		if !strings.Contains(got, w) {
			t.Errorf("answer lacks %q:\n%s", w, got)
		}
	}
	if diff := f.botComments(2)[0]; !strings.Contains(diff, head2[:12]) {
		t.Errorf("the diff comment was not refreshed to %s:\n%s", head2[:12], diff)
	}
	got = f.commandOn(2, "bob", "/sync payment-service-staging")
	if !strings.Contains(got, "gitwave synced `"+head2[:12]+"`") || !strings.Contains(got, "no cluster is configured") {
		t.Errorf("the second /sync did not run for the diffed head:\n%s", got)
	}
}

// TestPolicyReadsChangedFilesFromGit: the host lists fewer files than the
// pull request changes (GitHub stops at 3,000); the policy verdict and
// /sync use Git's list, which includes the file bob may not change.
func TestPolicyReadsChangedFilesFromGit(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	set := f.readFile("applications/microservices.yaml")
	f.commitOn("pr/2", map[string]string{
		"apps/payment-service/values-staging.yaml": "replicaCount: 3\n",
		"applications/microservices.yaml":          strings.Replace(set, "replicas: '2'", "replicas: '9'", 1),
	})
	head := f.openPR(2, "bob", "pr/2", "apps/payment-service/values-staging.yaml")
	if s := f.status(head, "gitwave/policy"); s.State != "failure" || !strings.Contains(s.Description, "applications/microservices.yaml") {
		t.Errorf("gitwave/policy = %+v; want a failure naming applications/microservices.yaml", s)
	}
	got := f.commandOn(2, "bob", "/sync payment-service-staging")
	if !strings.Contains(got, "Nothing was synced") || !strings.Contains(got, "applications/microservices.yaml") {
		t.Errorf("/sync answer:\n%s", got)
	}
}

// TestSyncOfMergedPRDeploysTheDefaultBranch: after the merge, /sync in the
// pull request deploys the default branch, with no diffed-head rule.
func TestSyncOfMergedPRDeploysTheDefaultBranch(t *testing.T) {
	f := newFixture(t, fixtureOptions{Author: "carol"})
	if err := examplerepo.Merge(t.Context(), f.ex); err != nil {
		t.Fatal(err)
	}
	f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: "carol",
		Head: examplerepo.PRBranch, Base: "main", HeadSHA: f.ex.HeadSHA, BaseSHA: f.ex.BaseSHA, State: "closed",
		Merged: true, MergeSHA: f.ex.HeadSHA})
	got := f.commandOn(1, "bob", "/sync payment-service-staging")
	if !strings.Contains(got, "gitwave synced `"+f.ex.HeadSHA[:12]+"`") || !strings.Contains(got, "no cluster is configured") {
		t.Errorf("/sync after the merge:\n%s", got)
	}
}
