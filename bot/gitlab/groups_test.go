package gitlab_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitwave/gitwave/bot/gitlab"
	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/policies"
)

// groupsAsked lists, sorted, the groups whose membership was asked for
// since request number from, as unescaped full paths.
func groupsAsked(t *testing.T, fake *hostfake.GitLab, from int) []string {
	t.Helper()
	var asked []string
	for _, r := range fake.Requests()[from:] {
		rest, ok := strings.CutPrefix(r.Path, "/groups/")
		if !ok {
			continue
		}
		id, _, _ := strings.Cut(rest, "/")
		group, err := url.PathUnescape(id)
		if err != nil {
			t.Fatal(err)
		}
		asked = append(asked, group)
	}
	slices.Sort(asked)
	return asked
}

// TestGroupsOfTheGuidePolicy asks, as the bot does, about the teams the
// guide's policy names bare: each is a subgroup of the project's top-level
// group, never a top-level group of the same name, and only they are
// asked about, not the project's ancestors.
func TestGroupsOfTheGuidePolicy(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, gitlab.Options{})
	fake.AddGroupMember("acme", "")
	fake.AddGroupMember("acme/platform", "")
	fake.AddGroupMember("acme/order-team", "dave")
	fake.AddGroupMember("acme/payment-team", "bob")
	fake.AddGroupMember("order-team", "mallory") // anyone can create a top-level group
	f, err := os.Open("../../policies/testdata/guide-policy.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pol, err := policies.Load(f, "policy.csv", policies.Options{DefaultRole: policies.RoleReadonly})
	if err != nil {
		t.Fatal(err)
	}

	groups, err := h.Groups(ctx, project, "dave", pol.GroupNames())
	if want := []string{"order-team"}; err != nil || !reflect.DeepEqual(groups, want) {
		t.Fatalf("Groups(dave) = %q, %v; want %q", groups, err, want)
	}
	want := []string{"acme/order-team", "acme/payment-team", "acme/platform-admins"}
	if asked := groupsAsked(t, fake, 0); !reflect.DeepEqual(asked, want) {
		t.Errorf("groups asked = %q; want exactly the policy's %q", asked, want)
	}
	if d := pol.Can(policies.Subject{Login: "dave", Groups: groups}, "applications", "sync", "applications/order-api"); !d.Allowed {
		t.Errorf("dave of acme/order-team: %s", d.Reason)
	}
	if got, err := h.Groups(ctx, project, "mallory", pol.GroupNames()); err != nil || len(got) != 0 {
		t.Errorf("Groups(mallory) = %q, %v; want none: the top-level group order-team is not the bare name", got, err)
	}
}

// TestGroupsFullPaths checks full group paths: a subgroup that does not hold
// the project, the project's own ancestors when named, membership inherited
// from a parent group, and names that are no group.
func TestGroupsFullPaths(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, gitlab.Options{})
	fake.AddGroupMember("acme/platform-admins", "alice")
	fake.AddGroupMember("acme/platform", "bob")
	fake.AddGroupMember("acme", "olga")
	fake.AddGroupMember("other", "carol")
	named := []string{"acme/platform-admins", "Platform-Admins", "acme/platform", "acme", "ACME", "other/team", "a/../b", "role x"}

	tests := []struct {
		login string
		want  []string
	}{
		{"alice", []string{"acme/platform-admins", "Platform-Admins"}},
		{"bob", []string{"acme/platform"}},
		{"olga", []string{"acme/platform-admins", "Platform-Admins", "acme/platform", "acme", "ACME"}}, // inherited from acme
		{"carol", nil},
		{"nobody", nil},
	}
	for _, tt := range tests {
		got, err := h.Groups(ctx, project, tt.login, named)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Groups(%s) = %q, %v; want %q", tt.login, got, err, tt.want)
		}
	}
	// nobody is unknown to GitLab: no group is asked about for them.
	want := []string{"acme", "acme/platform", "acme/platform-admins", "other/team"}
	var wantAll []string
	for range 4 {
		wantAll = append(wantAll, want...)
	}
	slices.Sort(wantAll)
	if asked := groupsAsked(t, fake, 0); !reflect.DeepEqual(asked, wantAll) {
		t.Errorf("groups asked = %q; want each of %q once per known user", asked, want)
	}
	before := len(fake.Requests())
	if got, err := h.Groups(ctx, project, "alice", []string{"acme/Platform-Admins"}); err != nil || len(got) != 1 {
		t.Fatalf("second Groups(alice) = %q, %v", got, err)
	}
	if n := len(fake.Requests()) - before; n != 0 {
		t.Errorf("second Groups call made %d requests; want none (cached per group and user)", n)
	}
	if none, err := h.Groups(ctx, project, "alice", nil); err != nil || none != nil || len(fake.Requests()) != before {
		t.Errorf("Groups with no names = %q, %v; want nothing asked", none, err)
	}
}

func TestGroupsCacheExpires(t *testing.T) {
	ctx := context.Background()
	h, fake := newHost(t, gitlab.Options{GroupsTTL: 20 * time.Millisecond})
	fake.AddGroupMember("acme/platform", "alice")
	fake.AddGroupMember("acme/sre", "")
	named := []string{"acme/platform", "sre"}
	if _, err := h.Groups(ctx, project, "alice", named); err != nil {
		t.Fatal(err)
	}
	time.Sleep(40 * time.Millisecond)
	fake.AddGroupMember("acme/sre", "alice")
	got, err := h.Groups(ctx, project, "alice", named)
	if err != nil || !reflect.DeepEqual(got, named) {
		t.Errorf("Groups after the TTL = %q, %v; want %q", got, err, named)
	}
}

// forbidMembers answers 403 to every group membership request.
type forbidMembers struct{}

func (forbidMembers) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.URL.Path, "/members/all/") {
		return &http.Response{StatusCode: http.StatusForbidden, Status: "403 Forbidden", Header: http.Header{},
			Body: http.NoBody, Request: r}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestGroupsHostFailureIsAnError checks that a membership GitLab does not
// answer is an error, not "no groups": a deny granted to a group must not be
// escaped because the host could not be asked.
func TestGroupsHostFailureIsAnError(t *testing.T) {
	h, fake := newHost(t, gitlab.Options{HTTPClient: &http.Client{Transport: forbidMembers{}}})
	fake.AddGroupMember("acme/contractors", "carl")
	got, err := h.Groups(context.Background(), project, "carl", []string{"contractors"})
	if err == nil || !strings.Contains(err.Error(), "gitlab: membership of carl in group acme/contractors") {
		t.Errorf("Groups when GitLab refuses = %q, %v; want an error naming the group", got, err)
	}
}
