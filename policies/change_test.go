package policies

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestCheckChange(t *testing.T) {
	p := loadTestdata(t, "rules.csv", Options{})
	secretsDeny := lineOf(t, "rules.csv", "p, role:dev-team-order, paths, modify, apps/order-service/secrets/**, deny")
	cases := []struct {
		name    string
		sub     Subject
		files   []string
		allowed bool
		reason  string
		denied  []string // paths, in order
		first   string   // Reason of the first denial, when set
	}{
		{name: "own folder", sub: user("alice"), files: []string{"apps/order-service/values.yaml", "apps/order-service/templates/deploy.yaml"}, allowed: true, reason: "alice may modify all 2 changed files"},
		{name: "foreign folder and policy file", sub: user("alice"), files: []string{"policy.csv", "apps/payment-service/values.yaml", "apps/order-service/values.yaml"},
			reason: "alice may not modify 2 of 3 changed files", denied: []string{"apps/payment-service/values.yaml", "policy.csv"},
			first: "alice may not modify `apps/payment-service/values.yaml`: no `paths, modify` grant matches; ask role:contractor or role:platform-team"},
		{name: "duplicates counted once", sub: user("alice"), files: []string{"x", "x"}, reason: "alice may not modify 1 of 1 changed file", denied: []string{"x"}},
		{name: "no files", sub: user("alice"), allowed: true, reason: "alice changed no files"},
		{name: "deny inside grant", sub: user("alice"), files: []string{"apps/order-service/secrets/key.yaml"}, denied: []string{"apps/order-service/secrets/key.yaml"},
			first: fmt.Sprintf("alice may not modify `apps/order-service/secrets/key.yaml`: denied to role:dev-team-order at line %d (a deny wins over any grant)", secretsDeny)},
		{name: "unclean path", sub: user("erin", "platform-admins"), files: []string{"apps/../policy.csv"}, denied: []string{"apps/../policy.csv"}, first: "is not a clean repo path"},
		{name: "platform may change anything", sub: user("erin", "platform-admins"), files: []string{"policy.csv", "a/b/c/d.yaml"}, allowed: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := p.CheckChange(tc.sub, tc.files)
			if v.Allowed != tc.allowed || !strings.Contains(v.Reason, tc.reason) {
				t.Fatalf("verdict = %v %q, want %v containing %q", v.Allowed, v.Reason, tc.allowed, tc.reason)
			}
			var paths []string
			for _, d := range v.Denied {
				paths = append(paths, d.Path)
				if d.Missing != "paths, modify" || d.Decision.Allowed {
					t.Errorf("denial of %s = %+v", d.Path, d)
				}
			}
			if !slices.Equal(paths, tc.denied) {
				t.Errorf("denied %q, want %q", paths, tc.denied)
			}
			if tc.first != "" && !strings.Contains(v.Denied[0].Decision.Reason, tc.first) {
				t.Errorf("first denial = %q, want it to contain %q", v.Denied[0].Decision.Reason, tc.first)
			}
		})
	}
}
