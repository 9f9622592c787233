package bot_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestPRPolicyAsksNamedTeamsAndWarns opens pull request 1 with a default
// role the policy never defines: the policy still applies, the comment
// warns about the role (the file and the warning each as code) and notes
// nothing left unrestricted, and GitHub is asked about the author's
// membership in exactly the teams the policy names, bare ones in the
// repository's organization.
func TestPRPolicyAsksNamedTeamsAndWarns(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.opts.Policy.Default = "role:nobody"
	f.restart()
	f.opened(http.StatusAccepted)
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run = %d; want 1", n)
	}
	comments := f.botComments(1)
	if len(comments) != 1 {
		t.Fatalf("gitwave comments = %d; want 1", len(comments))
	}
	for _, want := range []string{
		"bob may not modify 9 of 11 changed files",
		":warning: **Policy** `policies/policy.csv` `policy.default: warning: the default role \"role:nobody\" (policy.default) is never defined",
	} {
		if !strings.Contains(comments[0], want) {
			t.Errorf("comment lacks %q:\n%s", want, comments[0][:min(len(comments[0]), 3000)])
		}
	}
	// The example's policy grants paths and clusters, so nothing is left
	// open and no note says so.
	if strings.Contains(comments[0], ":information_source:") {
		t.Errorf("comment notes an unrestricted resource, but the policy grants paths and clusters:\n%s", comments[0][:min(len(comments[0]), 3000)])
	}
	var asked []string
	for _, r := range f.gh.Requests() {
		if rest, ok := strings.CutPrefix(r.Path, "/orgs/"); ok {
			asked = append(asked, r.Method+" "+rest)
		}
	}
	slices.Sort(asked)
	// The example's policy names platform-admins, acme/platform, order-team,
	// acme/order-team, payment-team, acme/payment-team, alice and bob: a
	// team named twice is asked about once.
	want := []string{
		"GET acme/teams/alice/memberships/bob",
		"GET acme/teams/bob/memberships/bob",
		"GET acme/teams/order-team/memberships/bob",
		"GET acme/teams/payment-team/memberships/bob",
		"GET acme/teams/platform-admins/memberships/bob",
		"GET acme/teams/platform/memberships/bob",
	}
	if !reflect.DeepEqual(asked, want) {
		t.Errorf("GitHub was asked %q; want %q", asked, want)
	}
}
