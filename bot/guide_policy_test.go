package bot_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/hack/examplerepo"
)

// guideExample is the bundled example whose default branch holds, in place
// of its own policies/policy.csv, the guide's policy.csv verbatim: Argo CD's
// format, with no `paths` or `clusters` grant, no role:readonly line, and
// `action/*` lines gitwave does not check.
func guideExample(t testing.TB) string {
	t.Helper()
	src, err := examplerepo.FindSource()
	if err != nil {
		t.Fatal(err)
	}
	guide, err := os.ReadFile(filepath.Join("..", "policies", "testdata", "guide-policy.csv"))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "example")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "repo", "policies", "policy.csv"), guide, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestGuidePolicyWithREADMEConfig is issue 8's first report end to end: the
// guide's policy.csv, with the README's gitwave.yaml (policy: {file:
// policies/policy.csv, default: role:readonly}), once failed every verdict
// closed as malformed. Now erin, in no team, opens pull request 1 and the
// policy passes with a note that paths are unrestricted; dave, of the bare
// team order-team, may /sync order-service-staging (project applications,
// matched by the guide's applications/order-*) and erin may not; and the
// merge is deployed. No cluster is configured, so a sync the policy allows
// fails with "no cluster is configured": that answer means it was allowed.
func TestGuidePolicyWithREADMEConfig(t *testing.T) {
	f := newFixture(t, fixtureOptions{Author: "erin", Example: guideExample(t),
		Policy: config.Policy{File: "policies/policy.csv", Default: "role:readonly"}})
	f.gh.AddTeam("acme", "order-team", "dave")
	head := f.ex.HeadSHA[:12]
	wantIn := func(t *testing.T, what, got string, want, notWant []string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, got)
			}
		}
		for _, w := range notWant {
			if strings.Contains(got, w) {
				t.Errorf("%s says %q:\n%s", what, w, got)
			}
		}
	}
	failedClosed := []string{"malformed", "no grants apply"}

	t.Run("a PR by a user in no team passes the policy", func(t *testing.T) {
		f.openPR(1, "erin", examplerepo.PRBranch)
		if s := f.status(f.ex.HeadSHA, "gitwave/policy"); s.State != "success" {
			t.Errorf("gitwave/policy = %+v; want success", s)
		}
		wantIn(t, "PR comment", f.botComments(1)[0],
			[]string{"### gitwave diff for `" + head + "`", ":information_source: **Policy**",
				"grants no `paths`: every author may change every path"},
			append([]string{":no_entry:", "needs a `paths, modify` grant"}, failedClosed...))
	})

	t.Run("/sync by the order team is allowed", func(t *testing.T) {
		got := f.commandOn(1, "dave", "/sync order-service-staging")
		wantIn(t, "/sync answer", got, []string{"gitwave synced `" + head + "`", "`order-service-staging`", "no cluster is configured"},
			append([]string{"No app was synced.", "may not"}, failedClosed...))
		if !slices.ContainsFunc(f.gh.Requests(), func(r hostfake.Request) bool {
			return r.Path == "/orgs/acme/teams/order-team/memberships/dave"
		}) {
			t.Error("GitHub was not asked whether dave is in the bare team order-team of acme")
		}
	})

	t.Run("/sync by a user in no team is denied for the applications grant", func(t *testing.T) {
		got := f.commandOn(1, "erin", "/sync order-service-staging")
		wantIn(t, "/sync answer", got, []string{"No app was synced.",
			"erin may not sync application `applications/order-service-staging` on cluster `staging`",
			"no `applications, sync` grant matches"},
			append([]string{"no cluster is configured", "`clusters, sync`"}, failedClosed...))
	})

	t.Run("the merge deploys", func(t *testing.T) {
		merge(t, f)
		wantIn(t, "deploy comment", f.lastReply(), []string{"<!-- gitwave:deploy -->",
			"### gitwave deployed `" + head + "` (merge of #1 by erin)", "`payment-service-staging`", "no cluster is configured"},
			append([]string{"deployed nothing", ":no_entry: **Policy:**"}, failedClosed...))
	})
}
