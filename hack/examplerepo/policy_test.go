package examplerepo

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/policies"
)

// loadExamplePolicy parses the example's policy.csv, found where its
// .gitwave.yaml says.
func loadExamplePolicy(t *testing.T) (*policies.Policy, []policies.Problem) {
	t.Helper()
	src, err := FindSource()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(src, repoDir)
	cfg, err := planner.LoadRepoConfig(os.DirFS(root))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(root, filepath.FromSlash(cfg.Policy)))
	if err != nil {
		t.Fatalf(".gitwave.yaml policy %q: %v", cfg.Policy, err)
	}
	defer f.Close()
	p, problems, err := policies.Parse(f, cfg.Policy, policies.Options{DefaultRole: "role:readonly"})
	if err != nil {
		t.Fatal(err)
	}
	return p, problems
}

func TestExamplePolicyIsWellFormed(t *testing.T) {
	_, problems := loadExamplePolicy(t)
	for _, pr := range problems {
		// The seed's Argo CD-only grant (action/*) loads with a warning.
		if pr.Severity != policies.SeverityWarning || !strings.Contains(pr.Text, "action/*") {
			t.Errorf("policy.csv %s", pr)
		}
	}
}

func TestExamplePolicyOnThePullRequest(t *testing.T) {
	p, _ := loadExamplePolicy(t)
	repo := buildExample(t)
	paymentFiles := func(files []string) []string {
		var out []string
		for _, f := range files {
			if !strings.HasPrefix(f, "apps/payment-service/") {
				out = append(out, f)
			}
		}
		return out
	}
	tests := []struct {
		name       string
		who        policies.Subject
		wantDenied []string
	}{
		{"a platform admin", policies.Subject{Login: "carol", Groups: []string{"acme/platform"}}, nil},
		{"bob of the payment team", policies.Subject{Login: "bob"}, paymentFiles(repo.Changed)},
		{"a member of acme/payment-team", policies.Subject{Login: "dave", Groups: []string{"acme/payment-team"}}, paymentFiles(repo.Changed)},
		{"alice of the order team", policies.Subject{Login: "Alice"}, repo.Changed},
		{"an outsider", policies.Subject{Login: "mallory"}, repo.Changed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := p.CheckChange(tt.who, repo.Changed)
			var denied []string
			for _, d := range v.Denied {
				denied = append(denied, d.Path)
			}
			if !slices.Equal(denied, tt.wantDenied) || v.Allowed != (len(tt.wantDenied) == 0) {
				t.Errorf("CheckChange(%v): allowed %v, denied %q; want denied %q (%s)", tt.who, v.Allowed, denied, tt.wantDenied, v.Reason)
			}
		})
	}
}

func TestExamplePolicyOnSyncs(t *testing.T) {
	p, _ := loadExamplePolicy(t)
	tests := []struct {
		who                  policies.Subject
		action, app, project string
		cluster              string
		want                 bool
	}{
		{policies.Subject{Login: "alice"}, "sync", "order-service-staging", "applications", "staging", true},
		{policies.Subject{Login: "alice"}, "sync", "order-service-production-apne2", "applications", "production-apne2", false},
		{policies.Subject{Login: "alice"}, "sync", "payment-service-staging", "applications", "staging", false},
		{policies.Subject{Login: "bob"}, "sync", "payment-service-production-use1", "applications", "production-use1", true},
		{policies.Subject{Login: "bob"}, "rollback", "payment-service-production-use1", "applications", "production-use1", true},
		{policies.Subject{Login: "eve", Groups: []string{"platform-admins"}}, "sync", "redis-production-use1", "platform", "production-use1", true},
		{policies.Subject{Login: "mallory"}, "diff", "redis-staging", "platform", "staging", true},
		{policies.Subject{Login: "mallory"}, "sync", "redis-staging", "platform", "staging", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %s", tt.who.Login, tt.action, tt.app), func(t *testing.T) {
			d := p.Authorize(tt.who, tt.action, tt.app, tt.project, tt.cluster)
			if d.Allowed != tt.want {
				t.Errorf("Authorize = %v (%s), want %v", d.Allowed, d.Reason, tt.want)
			}
		})
	}
}
