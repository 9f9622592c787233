package github_test

import (
	"context"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/policies"
)

// guidePolicy is the guide's policy.csv, which names its teams bare.
const guidePolicy = "../../policies/testdata/guide-policy.csv"

// membershipsAsked lists, sorted, the team memberships asked for since
// request number from, as "org/slug/user"; any other request to /orgs is
// listed as its path.
func membershipsAsked(fake *hostfake.GitHub, from int) []string {
	var asked []string
	for _, r := range fake.Requests()[from:] {
		rest, ok := strings.CutPrefix(r.Path, "/orgs/")
		if !ok {
			continue
		}
		org, rest, _ := strings.Cut(rest, "/teams/")
		slug, user, ok := strings.Cut(rest, "/memberships/")
		if !ok || r.Method != http.MethodGet {
			asked = append(asked, r.Method+" "+r.Path)
			continue
		}
		asked = append(asked, org+"/"+slug+"/"+user)
	}
	slices.Sort(asked)
	return asked
}

// TestGroupsOfTheGuidePolicy asks, as the bot does, about the teams the
// guide's policy names: a bare name is a team of the repository's
// organization, and only the named teams are asked about.
func TestGroupsOfTheGuidePolicy(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, github.Options{})
	fake.AddTeam("acme", "order-team", "dave")
	fake.AddTeam("acme", "payment-team", "bob")
	fake.AddTeam("acme", "unnamed-team", "dave")
	fake.AddTeam("other", "order-team", "mallory")
	f, err := os.Open(guidePolicy)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pol, err := policies.Load(f, "policy.csv", policies.Options{DefaultRole: policies.RoleReadonly})
	if err != nil {
		t.Fatal(err)
	}

	groups, err := h.Groups(ctx, repo, "dave", pol.GroupNames())
	if want := []string{"order-team"}; err != nil || !reflect.DeepEqual(groups, want) {
		t.Fatalf("Groups(dave) = %q, %v; want %q", groups, err, want)
	}
	want := []string{"acme/order-team/dave", "acme/payment-team/dave", "acme/platform-admins/dave"}
	if asked := membershipsAsked(fake, 0); !reflect.DeepEqual(asked, want) {
		t.Errorf("asked = %q; want exactly the policy's teams %q", asked, want)
	}
	d := pol.Can(policies.Subject{Login: "dave", Groups: groups}, "applications", "sync", "applications/order-service-staging")
	if !d.Allowed || !strings.Contains(d.Reason, "role:dev-team-order at line 6") {
		t.Errorf("dave of acme's order-team: %s", d.Reason)
	}
	if got, err := h.Groups(ctx, repo, "mallory", pol.GroupNames()); err != nil || len(got) != 0 {
		t.Errorf("Groups(mallory) = %q, %v; want none: a bare name is a team of the repository's organization only", got, err)
	}
}

// TestGroupsQualifiedNames checks "org/team" names, spellings, pending
// invitations, names that cannot be teams, and that nothing but the named
// teams' memberships is requested.
func TestGroupsQualifiedNames(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, github.Options{})
	fake.AddTeam("acme", "platform", "alice", "bob")
	fake.AddTeam("acme", "sre")
	fake.InviteToTeam("acme", "sre", "alice")
	fake.AddTeam("other", "platform", "alice") // the App is not installed in "other"

	named := []string{"acme/platform", "ACME/Platform", "sre", "other/platform", "a/b/c", "bad name", "alice", "../x"}
	got, err := h.Groups(ctx, repo, "alice", named)
	if want := []string{"acme/platform", "ACME/Platform"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Groups(alice) = %q, %v; want %q (pending invitations and teams the App cannot see do not count)", got, err, want)
	}
	want := []string{"acme/alice/alice", "acme/platform/alice", "acme/sre/alice", "other/platform/alice"}
	if asked := membershipsAsked(fake, 0); !reflect.DeepEqual(asked, want) {
		t.Errorf("asked = %q; want %q, each team once", asked, want)
	}

	before := len(fake.Requests())
	again, err := h.Groups(ctx, repo, "alice", []string{"Acme/PLATFORM", "sre"})
	if want := []string{"Acme/PLATFORM"}; err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("second Groups = %q, %v; want %q", again, err, want)
	}
	if n := len(fake.Requests()) - before; n != 0 {
		t.Errorf("second Groups call made %d requests; want none (cached per team and user)", n)
	}
	bob, err := h.Groups(ctx, repo, "bob", []string{"acme/platform", "payments"})
	if want := []string{"acme/platform"}; err != nil || !reflect.DeepEqual(bob, want) {
		t.Errorf("Groups(bob) = %q, %v; want %q", bob, err, want)
	}
	before = len(fake.Requests())
	if none, err := h.Groups(ctx, repo, "carol", nil); err != nil || none != nil || len(fake.Requests()) != before {
		t.Errorf("Groups with no names = %q, %v after %d requests; want nothing asked", none, err, len(fake.Requests())-before)
	}
}

func TestGroupsCacheExpires(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, github.Options{GroupsTTL: 20 * time.Millisecond})
	fake.AddTeam("acme", "platform", "alice")
	fake.AddTeam("acme", "sre")
	named := []string{"platform", "sre"}
	if _, err := h.Groups(ctx, repo, "alice", named); err != nil {
		t.Fatalf("Groups: %v", err)
	}
	time.Sleep(40 * time.Millisecond)
	fake.AddTeam("acme", "sre", "alice")
	got, err := h.Groups(ctx, repo, "alice", named)
	if want := named; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Groups after the TTL = %q, %v; want the new team too: %q", got, err, want)
	}
}

// failMemberships answers 502 to every team membership request.
type failMemberships struct{}

func (failMemberships) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.URL.Path, "/memberships/") {
		return &http.Response{StatusCode: http.StatusBadGateway, Status: "502 Bad Gateway", Header: http.Header{},
			Body: http.NoBody, Request: r}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestGroupsHostFailureIsAnError checks that a membership GitHub cannot
// answer is an error, not "no teams": a deny granted to a team must not be
// escaped by an outage.
func TestGroupsHostFailureIsAnError(t *testing.T) {
	h, fake := newHost(t, github.Options{HTTPClient: &http.Client{Transport: failMemberships{}}})
	fake.AddTeam("acme", "contractors", "carl")
	got, err := h.Groups(context.Background(), repo, "carl", []string{"contractors"})
	if err == nil || !strings.Contains(err.Error(), "github: membership of carl in team acme/contractors") {
		t.Errorf("Groups during an outage = %q, %v; want an error naming the team", got, err)
	}
}
