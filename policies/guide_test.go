package policies

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// guideFile is the guide's policy.csv, copied byte for byte. It names teams
// bare ("order-team"), relies on the built-in role:readonly as the default
// role, and has an Argo CD-only action/* line.
const guideFile = "guide-policy.csv"

// TestGuidePolicyLoads checks that the guide's file loads unchanged with the
// README's policy.default, role:readonly, which it never defines.
func TestGuidePolicyLoads(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", guideFile))
	if err != nil {
		t.Fatal(err)
	}
	p, problems, err := Parse(bytes.NewReader(data), guideFile, readonly)
	if err != nil || p.Err() != nil {
		t.Fatalf("Parse = %v, %v", err, p.Err())
	}
	if len(problems) != 1 || problems[0].Severity != SeverityWarning || problems[0].Line != 7 || !strings.Contains(problems[0].Message, `action "action/*"`) {
		t.Errorf("problems = %v, want one warning about the action/* line 7", problems)
	}
	if want := []string{"order-team", "payment-team", "platform-admins"}; !slices.Equal(p.GroupNames(), want) {
		t.Errorf("GroupNames() = %q, want %q", p.GroupNames(), want)
	}
}

// TestGuidePolicyDecisions asks the guide's policy what its teams may do.
// As in Argo CD, an application object is "project/app": the guide's
// "applications/order-*" is every app whose name starts with "order-" in the
// project named "applications".
func TestGuidePolicyDecisions(t *testing.T) {
	const (
		orderSync    = "p, role:dev-team-order, applications, sync, applications/order-*, allow"
		orderGet     = "p, role:dev-team-order, applications, get, applications/order-*, allow"
		platformApps = "p, role:platform-team, applications, *, infrastructure/*, allow"
	)
	order := user("dave", "order-team")
	cases := []decisionCase{
		{name: "team syncs its app", sub: order, ask: can("applications", "sync", "applications/order-service-staging"), allowed: true, rule: orderSync,
			reason: "dave may sync application `applications/order-service-staging`: granted to role:dev-team-order at line 6"},
		{name: "team gets its app", sub: order, ask: can("applications", "get", "applications/order-api"), allowed: true, rule: orderGet},
		{name: "team name case folded", sub: user("dave", "Order-Team"), ask: can("applications", "sync", "applications/order-api"), allowed: true, rule: orderSync},
		{name: "another team's app", sub: order, ask: can("applications", "sync", "applications/payment-api"),
			reason: "ask role:dev-team-payment", suggest: []string{"role:dev-team-payment"}},
		{name: "the object's first part is the project", sub: order, ask: can("applications", "sync", "default/order-service")},
		{name: "action/* grants nothing", sub: order, ask: can("applications", "override", "applications/order-api")},
		{name: "sync needs no clusters grant when the file grants none, as in Argo CD", sub: order, ask: authorize("sync", "applications", "order-service-staging", "staging"),
			allowed: true, rule: orderSync, reason: "the cluster to everyone, as the policy grants no `clusters, sync`"},
		{name: "another team's sync stays denied on every cluster", sub: order, ask: authorize("sync", "applications", "payment-service-staging", "staging"),
			reason: "no `applications, sync` grant matches"},
		{name: "get through readonly's clusters grant", sub: order, ask: authorize("get", "applications", "order-service-staging", "staging"), allowed: true, rule: orderGet},
		{name: "everyone reads", sub: user("mallory"), ask: can("applications", "get", "applications/payment-api"), allowed: true,
			rule: "p, role:readonly, applications, get, */*, allow", reason: "granted to role:readonly (built in)"},
		{name: "readonly does not sync", sub: user("mallory"), ask: can("applications", "sync", "applications/payment-api"), suggest: []string{"role:dev-team-payment"}},
		{name: "a qualified name is not the bare one", sub: user("dave", "acme/order-team"), ask: can("applications", "sync", "applications/order-api")},
		{name: "platform any action", sub: user("erin", "platform-admins"), ask: can("applications", "override", "infrastructure/cert-manager"), allowed: true, rule: platformApps},
		{name: "platform gets clusters", sub: user("erin", "platform-admins"), ask: can("clusters", "get", "production-apne2"), allowed: true,
			rule: "p, role:platform-team, clusters, get, *, allow"},
		{name: "no paths grants: paths are not restricted", sub: user("mallory"), ask: can("paths", "modify", "apps/order-service/values.yaml"),
			allowed: true, reason: "granted to everyone, as the policy grants no `paths, modify`"},
	}
	p := loadTestdata(t, guideFile, readonly)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.ask(p, tc.sub)
			if d.Allowed != tc.allowed {
				t.Fatalf("Allowed = %v, want %v: %s", d.Allowed, tc.allowed, d.Reason)
			}
			if tc.rule != "" && d.MatchedRule != tc.rule {
				t.Errorf("decided by %q, want %q", d.MatchedRule, tc.rule)
			}
			if tc.rule != "" && !strings.Contains(tc.reason, "built in") && d.Line != lineOf(t, guideFile, tc.rule) {
				t.Errorf("decided by line %d, want %d", d.Line, lineOf(t, guideFile, tc.rule))
			}
			if !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("Reason = %q, want it to contain %q", d.Reason, tc.reason)
			}
			if tc.suggest != nil && !slices.Equal(d.Suggest, tc.suggest) {
				t.Errorf("Suggest = %q, want %q", d.Suggest, tc.suggest)
			}
		})
	}
}
