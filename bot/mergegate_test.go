package bot_test

import (
	"strings"
	"testing"

	"github.com/gitwave/gitwave/hack/examplerepo"
)

// paymentPaths is the payment team's path grant in the example policy.
const paymentPaths = "p, role:dev-team-payment, paths, modify, apps/payment-service/**, allow\n"

// TestMergeGateReadsThePolicyBeforeTheMerge: bob's pull request changes
// only payment-service's files, which he could change when it forked; the
// default branch then takes his path grant away. However the pull request
// is merged, the policy of the default branch just before the merge
// denies it.
func TestMergeGateReadsThePolicyBeforeTheMerge(t *testing.T) {
	tests := []struct {
		name  string
		merge func(f *fixture) string // merges pr/2 into main, returns the merge commit
	}{
		{"merge commit", func(f *fixture) string {
			f.git("merge", "-q", "--no-ff", "-m", "Merge pr/2", "pr/2")
			return f.git("rev-parse", "HEAD")
		}},
		{"squash", func(f *fixture) string {
			f.git("merge", "-q", "--squash", "pr/2")
			f.git("commit", "-q", "-m", "change on pr/2 (#2)")
			return f.git("rev-parse", "HEAD")
		}},
		{"rebase", func(f *fixture) string { return rebaseMerge(f, "pr/2") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			f.commitOn("pr/2", map[string]string{"apps/payment-service/values-staging.yaml": "replicaCount: 3\n"})
			prHead := f.commitOn("pr/2", map[string]string{"apps/payment-service/values-production.yaml": "replicaCount: 4\n"})
			policy := f.readFile("policies/policy.csv")
			f.commitOn(examplerepo.MainBranch, map[string]string{"policies/policy.csv": strings.Replace(policy, paymentPaths, "", 1)})
			got := f.mergedAs(2, "bob", "pr/2", prHead, tt.merge(f))
			for _, w := range []string{"gitwave deployed nothing", "bob may not modify 2 of 2 changed files"} {
				if !strings.Contains(got, w) {
					t.Errorf("merge answer lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestRebaseMergeIgnoresThePRsOwnPolicy: bob's first commit grants him
// every path; rebased onto main, it becomes the first parent of the
// merge. The merge is still checked against the default branch before it.
func TestRebaseMergeIgnoresThePRsOwnPolicy(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	policy := f.readFile("policies/policy.csv")
	f.commitOn("pr/2", map[string]string{"policies/policy.csv": policy + "p, role:dev-team-payment, paths, modify, **, allow\n"})
	prHead := f.commitOn("pr/2", map[string]string{"applications/payment-evil.yaml": evilApp, "evil/crb.yaml": evilBinding})
	f.commitOn(examplerepo.MainBranch, map[string]string{"README.md": "main moves on\n"})
	got := f.mergedAs(2, "bob", "pr/2", prHead, rebaseMerge(f, "pr/2"))
	for _, w := range []string{"gitwave deployed nothing", "`policies/policy.csv` needs a `paths, modify` grant"} {
		if !strings.Contains(got, w) {
			t.Errorf("merge answer lacks %q:\n%s", w, got)
		}
	}
}

// TestMergeOfAllowedChangeDeploys: with the grant still in place, a merge
// commit of the same change is deployed (and fails only for want of
// clusters).
func TestMergeOfAllowedChangeDeploys(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	prHead := f.commitOn("pr/2", map[string]string{"apps/payment-service/values-staging.yaml": "replicaCount: 3\n"})
	f.commitOn(examplerepo.MainBranch, map[string]string{"README.md": "main moves on\n"})
	f.git("merge", "-q", "--no-ff", "-m", "Merge pr/2", "pr/2")
	got := f.mergedAs(2, "bob", "pr/2", prHead, f.git("rev-parse", "HEAD"))
	if !strings.Contains(got, "gitwave deployed `") || !strings.Contains(got, "payment-service-staging") {
		t.Errorf("merge answer:\n%s", got)
	}
}

// rebaseMerge replays branch onto main as GitHub's "Rebase and merge"
// does (new commits, same authors and messages), moves main to the result
// and returns it; branch keeps the original commits.
func rebaseMerge(f *fixture, branch string) string {
	f.t.Helper()
	f.git("checkout", "-q", "-b", branch+"-rebased", branch)
	f.git("rebase", "-q", "--force-rebase", examplerepo.MainBranch)
	head := f.git("rev-parse", "HEAD")
	f.git("checkout", "-q", examplerepo.MainBranch)
	f.git("merge", "-q", "--ff-only", head)
	return head
}
