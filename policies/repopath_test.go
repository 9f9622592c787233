package policies

import (
	"strings"
	"testing"
)

// repoPolicy is the guide's layout: the policy lives in org/k8s-gitops and
// grants paths of org/k8s-apps to the service teams.
const repoPolicy = `p, role:platform-team, paths, modify, **, allow
p, role:platform-team, paths, modify, org/k8s-infrastructure:**, allow
p, role:dev-team-order, paths, modify, org/k8s-apps:apps/order-service/**, allow
p, role:dev-team-order, paths, modify, org/k8s-apps:apps/order-service/secrets/**, deny
p, role:dev-team-payment, paths, modify, apps/payment-service/**, allow
p, role:dev-team-payment, paths, modify, ORG/K8S-GITOPS:docs/**, allow
p, role:admin-ish, paths, modify, *, allow
g, alice, role:dev-team-order
g, bob, role:dev-team-payment
g, carol, role:platform-team
g, dave, role:admin-ish
`

func loadRepoPolicy(t *testing.T, home string) *Policy {
	t.Helper()
	p, err := Load(strings.NewReader(repoPolicy), "policies/policy.csv", Options{Repo: home})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckChangeQualifiedPaths(t *testing.T) {
	p := loadRepoPolicy(t, "org/k8s-gitops")
	cases := []struct {
		name  string
		who   string
		files []string
		allow bool
	}{
		{"grant in another repository", "alice", []string{"org/k8s-apps:apps/order-service/values.yaml"}, true},
		{"repository names ignore case", "alice", []string{"Org/K8s-Apps:apps/order-service/values.yaml"}, true},
		{"same path in the policy's own repository is not granted", "alice", []string{"apps/order-service/values.yaml"}, false},
		{"same path qualified with the policy's repository", "alice", []string{"org/k8s-gitops:apps/order-service/values.yaml"}, false},
		{"deny in another repository", "alice", []string{"org/k8s-apps:apps/order-service/secrets/db.yaml"}, false},
		{"unqualified grant is the policy's repository", "bob", []string{"apps/payment-service/values.yaml", "org/k8s-gitops:apps/payment-service/x.yaml"}, true},
		{"unqualified grant does not reach another repository", "bob", []string{"org/k8s-apps:apps/payment-service/values.yaml"}, false},
		{"grant qualified with the policy's own repository is bare", "bob", []string{"docs/readme.md"}, true},
		{"** alone is the policy's repository", "carol", []string{"root-apps/apps.yaml", "org/k8s-infrastructure:clusters/x.yaml"}, true},
		{"** alone does not reach k8s-apps", "carol", []string{"org/k8s-apps:apps/order-service/values.yaml"}, false},
		{"* alone is every repository", "dave", []string{"org/k8s-apps:a.yaml", "b.yaml"}, true},
		{"unclean path in another repository", "alice", []string{"org/k8s-apps:apps/order-service/../../policies/policy.csv"}, false},
		{"the policy file of another repository is just a file", "alice", []string{"org/k8s-apps:apps/order-service/policies/policy.csv"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := p.CheckChange(user(tc.who), tc.files)
			if v.Allowed != tc.allow {
				t.Fatalf("%s changing %q: allowed=%v (%s), want %v", tc.who, tc.files, v.Allowed, v.Reason, tc.allow)
			}
		})
	}
}

// TestCheckChangeQualifiedDenialNamesRepository checks that a denial names
// the file as asked, with its repository, and suggests the role that holds
// the qualified grant.
func TestCheckChangeQualifiedDenialNamesRepository(t *testing.T) {
	p := loadRepoPolicy(t, "org/k8s-gitops")
	v := p.CheckChange(user("bob"), []string{"org/k8s-apps:apps/order-service/values.yaml"})
	if v.Allowed || len(v.Denied) != 1 {
		t.Fatalf("verdict %+v, want one denial", v)
	}
	d := v.Denied[0]
	if d.Path != "org/k8s-apps:apps/order-service/values.yaml" || !strings.Contains(d.Decision.Reason, "`org/k8s-apps:apps/order-service/values.yaml`") {
		t.Errorf("denial %q of %q does not name the qualified file", d.Decision.Reason, d.Path)
	}
	if !strings.Contains(d.Decision.Reason, "role:dev-team-order") {
		t.Errorf("denial %q does not suggest role:dev-team-order", d.Decision.Reason)
	}
}

// TestQualifyPathKeepsColonPathsHome checks that a file of the policy's own
// repository whose path reads as qualified ("org/k8s-apps:apps/x") cannot
// borrow a grant on org/k8s-apps once it is asked about qualified.
func TestQualifyPathKeepsColonPathsHome(t *testing.T) {
	p := loadRepoPolicy(t, "org/k8s-gitops")
	tricky := "org/k8s-apps:apps/order-service/values.yaml" // a folder "k8s-apps:apps" in k8s-gitops
	if v := p.CheckChange(user("alice"), []string{QualifyPath("org/k8s-gitops", tricky)}); v.Allowed {
		t.Fatalf("alice may change k8s-gitops's %q through her k8s-apps grant: %s", tricky, v.Reason)
	}
}

// TestQualifiedPathsWithoutHome checks a policy loaded without knowing its
// repository: qualified grants still match qualified files only.
func TestQualifiedPathsWithoutHome(t *testing.T) {
	p := loadRepoPolicy(t, "")
	if v := p.CheckChange(user("alice"), []string{"org/k8s-apps:apps/order-service/a.yaml"}); !v.Allowed {
		t.Errorf("alice denied her k8s-apps folder: %s", v.Reason)
	}
	if v := p.CheckChange(user("bob"), []string{"org/k8s-apps:apps/payment-service/a.yaml"}); v.Allowed {
		t.Errorf("bob's unqualified grant reached org/k8s-apps")
	}
}

func TestQualifiedPathPatternsChecked(t *testing.T) {
	for _, line := range []string{
		"p, role:x, paths, modify, org/k8s-apps:/apps/**, allow",
		"p, role:x, paths, modify, org/k8s-apps:apps/../x, allow",
		"p, role:x, paths, modify, org/k8s-apps:apps//x, allow",
	} {
		if _, err := Load(strings.NewReader(line+"\n"), "p.csv", Options{}); err == nil {
			t.Errorf("%q loaded without an error", line)
		}
	}
	if _, err := Load(strings.NewReader("p, role:x, paths, modify, group/sub/project:**, allow\n"), "p.csv", Options{}); err != nil {
		t.Errorf("a GitLab subgroup project: %v", err)
	}
}
