package policies

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// request asks a policy one question on behalf of a subject.
type request func(p *Policy, s Subject) Decision

func can(resource, action, object string) request {
	return func(p *Policy, s Subject) Decision { return p.Can(s, resource, action, object) }
}

func authorize(action, project, app, cluster string) request {
	return func(p *Policy, s Subject) Decision { return p.Authorize(s, action, app, project, cluster) }
}

func user(login string, groups ...string) Subject { return Subject{Login: login, Groups: groups} }

// loadTestdata loads a policy from testdata, failing the test on any error.
func loadTestdata(t testing.TB, file string, opts Options) *Policy {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := Load(f, file, opts)
	if err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
	return p
}

// lineOf returns the 1-based number of the line of file that reads text.
func lineOf(t *testing.T, file, text string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if l == text {
			return i + 1
		}
	}
	t.Fatalf("%s has no line %q", file, text)
	return 0
}

const (
	denyProduction = "p, role:dev-team-order, clusters, sync, production-*, deny"
	orderSync      = "p, role:dev-team-order, applications, sync, shop/order-*, allow"
	orderPaths     = "p, role:dev-team-order, paths, modify, apps/order-service/**, allow"
	stagingSync    = "p, role:dev-team-order, clusters, sync, staging-*, allow"
	contractorDeny = "p, role:contractor, paths, modify, **/secrets/**, deny"
)

var (
	readonly  = Options{DefaultRole: "role:readonly"}
	homoglyph = "\u0430lice" // Cyrillic а
)

// decisionCase is one question asked of a policy under testdata/ and the
// answer a user should see.
type decisionCase struct {
	name    string
	file    string // under testdata; rules.csv when empty
	opts    Options
	sub     Subject
	ask     request
	allowed bool
	rule    string // the line that decided, "" when none matched
	reason  string // a part of Decision.Reason
	suggest []string
}

var decisionCases = []decisionCase{
	// Role inheritance.
	{name: "login inherits role", sub: user("alice"), ask: can("applications", "sync", "shop/order-api"), allowed: true, rule: orderSync, reason: "alice may sync application `shop/order-api`: granted to role:dev-team-order at line"},
	{name: "login case folded", sub: user("ALICE"), ask: can("applications", "sync", "shop/order-api"), allowed: true, rule: orderSync},
	{name: "role inherits role", sub: user("bob"), ask: can("applications", "get", "shop/cart"), allowed: true, rule: "p, role:dev-team-order, applications, get, shop/*, allow"},
	{name: "inherited role adds own grant", sub: user("bob"), ask: can("applications", "rollback", "shop/order-api"), allowed: true, rule: "p, role:senior-order, applications, rollback, shop/order-*, allow"},
	{name: "base role lacks child grant", sub: user("alice"), ask: can("applications", "rollback", "shop/order-api"), reason: "no `applications, rollback` grant matches; ask role:senior-order", suggest: []string{"role:senior-order"}},
	{name: "group grants role", sub: user("dave", "acme/order-team"), ask: can("paths", "modify", "apps/order-service/values.yaml"), allowed: true, rule: orderPaths},
	{name: "group case folded", sub: user("dave", "ACME/Order-Team"), ask: can("paths", "modify", "apps/order-service/values.yaml"), allowed: true, rule: orderPaths},
	{name: "group of platform", sub: user("erin", "platform-admins"), ask: can("applications", "sync", "infrastructure/cert-manager"), allowed: true, rule: "p, role:platform-team, applications, *, infrastructure/*, allow"},
	{name: "role name is not a login", sub: user("role:platform-team"), ask: can("paths", "modify", "x"), allowed: true, rule: "p, role:platform-team, paths, modify, **, allow"},
	{name: "unknown user gets nothing", sub: user("mallory"), ask: can("applications", "get", "shop/cart"), reason: "mallory may not get application `shop/cart`: no `applications, get` grant matches; ask role:auditor, role:dev-team-order, role:readonly (or 1 other role)", suggest: []string{"role:auditor", "role:dev-team-order", "role:readonly", "role:senior-order"}},
	{name: "group unrelated to policy", sub: user("mallory", "acme/unknown"), ask: can("clusters", "get", "staging-1")},
	{name: "anonymous", sub: Subject{}, ask: can("clusters", "get", "staging-1"), reason: "an anonymous user may not"},

	// Deny over allow.
	{name: "deny on own role", sub: user("alice"), ask: can("clusters", "sync", "production-us"), rule: denyProduction, reason: "denied to role:dev-team-order at line"},
	{name: "inherited deny beats child allow", sub: user("bob"), ask: can("clusters", "sync", "production-eu"), rule: denyProduction},
	{name: "deny from one group beats allow from another", sub: user("dave", "acme/release", "acme/order-team"), ask: can("clusters", "sync", "production-eu"), rule: denyProduction},
	{name: "release alone may sync production", sub: user("erin", "acme/release"), ask: can("clusters", "sync", "production-eu"), allowed: true, rule: "p, role:release, clusters, sync, production-*, allow"},
	{name: "path deny inside allowed folder", sub: user("alice"), ask: can("paths", "modify", "apps/order-service/secrets/db.yaml"), rule: "p, role:dev-team-order, paths, modify, apps/order-service/secrets/**, deny"},
	{name: "denied file suggests no role", sub: user("alice"), ask: can("paths", "modify", "apps/order-service/secrets/db.yaml"), reason: "(a deny wins over any grant)"},
	{name: "contractor allowed values", sub: user("carl", "acme/contractors"), ask: can("paths", "modify", "apps/web/values.yaml"), allowed: true, rule: "p, role:contractor, paths, modify, apps/*/values.yaml, allow"},
	{name: "contractor deny beats platform", sub: user("carl", "acme/contractors", "platform-admins"), ask: can("paths", "modify", "apps/web/secrets/x.yaml"), rule: contractorDeny},
	{name: "contractor sops deny", sub: user("carl", "acme/contractors", "platform-admins"), ask: can("paths", "modify", "apps/web/db.sops.yaml"), rule: "p, role:contractor, paths, modify, **/*.sops.yaml, deny"},
	{name: "docs private denied", sub: user("dora", "acme/docs"), ask: can("paths", "modify", "docs/private/plan.md"), rule: "p, role:docs, paths, modify, docs/private/*, deny"},
	{name: "docs public allowed", sub: user("dora", "acme/docs"), ask: can("paths", "modify", "docs/public/plan.md"), allowed: true, rule: "p, role:docs, paths, modify, docs/**, allow"},
	{name: "docs private deeper is allowed", sub: user("dora", "acme/docs"), ask: can("paths", "modify", "docs/private/a/plan.md"), allowed: true, rule: "p, role:docs, paths, modify, docs/**, allow"},

	// Globs.
	{name: "star within folder", opts: readonly, sub: user("zed"), ask: can("paths", "modify", "docs/readme.md"), allowed: true, rule: "p, role:readonly, paths, modify, docs/*.md, allow"},
	{name: "star does not cross folders", opts: readonly, sub: user("zed"), ask: can("paths", "modify", "docs/sub/readme.md")},
	{name: "double star matches no folder", sub: user("carl", "acme/contractors", "platform-admins"), ask: can("paths", "modify", "secrets/x.yaml"), rule: contractorDeny},
	{name: "double star at root file", sub: user("carl", "acme/contractors", "platform-admins"), ask: can("paths", "modify", "x.sops.yaml"), rule: "p, role:contractor, paths, modify, **/*.sops.yaml, deny"},
	{name: "double star deep", sub: user("alice"), ask: can("paths", "modify", "apps/order-service/a/b/c.yaml"), allowed: true, rule: orderPaths},
	{name: "folder prefix is not a name prefix", sub: user("alice"), ask: can("paths", "modify", "apps/order-service-v2/values.yaml"), suggest: []string{"role:contractor", "role:platform-team"}},
	{name: "question mark one char", sub: user("carol"), ask: can("paths", "modify", "carol/notes-1.txt"), allowed: true, rule: "p, carol, paths, modify, carol/notes-?.txt, allow"},
	{name: "question mark not two", sub: user("carol"), ask: can("paths", "modify", "carol/notes-12.txt")},
	{name: "direct login grant folded", sub: user("CaRoL"), ask: can("paths", "modify", "carol/notes-x.txt"), allowed: true},
	{name: "paths are case sensitive", sub: user("alice"), ask: can("paths", "modify", "apps/Order-Service/values.yaml")},
	{name: "app star crosses slash", sub: user("erin", "platform-admins"), ask: can("applications", "sync", "infrastructure/a/b"), allowed: true},
	{name: "app prefix needs dash", sub: user("alice"), ask: can("applications", "sync", "shop/order")},
	{name: "cluster prefix needs dash", sub: user("alice"), ask: can("clusters", "sync", "staging")},
	{name: "cluster glob", sub: user("alice"), ask: can("clusters", "sync", "staging-eu-1"), allowed: true, rule: stagingSync},
	{name: "any resource covers apps", sub: user("ann", "acme/audit"), ask: can("applications", "get", "payments/api"), allowed: true, rule: "p, role:auditor, *, get, *, allow"},
	{name: "any resource covers clusters", sub: user("ann", "acme/audit"), ask: can("clusters", "get", "production-eu"), allowed: true, rule: "p, role:auditor, *, get, *, allow"},
	{name: "any resource get is not modify", sub: user("ann", "acme/audit"), ask: can("paths", "modify", "docs/x.md")},
	{name: "action star", sub: user("erin", "platform-admins"), ask: can("applications", "override", "infrastructure/istio"), allowed: true},

	// Default role.
	{name: "default role grants everyone", opts: readonly, sub: user("zed"), ask: can("applications", "get", "shop/cart"), allowed: true, rule: "p, role:readonly, applications, get, *, allow"},
	{name: "default role spelled in capitals", opts: Options{DefaultRole: "Role:ReadOnly"}, sub: user("zed"), ask: can("clusters", "get", "x"), allowed: true},
	{name: "default role applies to homoglyph", opts: readonly, sub: user(homoglyph), ask: can("applications", "get", "shop/cart"), allowed: true},
	{name: "homoglyph gets no login grant", opts: readonly, sub: user(homoglyph), ask: can("applications", "sync", "shop/order-api"), reason: `"\u0430lice" may not sync`},
	{name: "homoglyph group gets nothing", sub: user("zed", "acme/order-t\u0435am"), ask: can("applications", "sync", "shop/order-api")},
	{name: "default role adds to own roles", opts: readonly, sub: user("alice"), ask: can("paths", "modify", "docs/readme.md"), allowed: true},
	{name: "default role cannot escape deny", opts: Options{DefaultRole: "role:release"}, sub: user("alice"), ask: can("clusters", "sync", "production-eu"), rule: denyProduction},
	{name: "no default role", sub: user("zed"), ask: can("applications", "get", "shop/cart")},

	// Authorize: applications and clusters together.
	{name: "authorize both grants", sub: user("alice"), ask: authorize("sync", "shop", "order-api", "staging-1"), allowed: true, rule: orderSync, reason: "and the cluster to role:dev-team-order at line"},
	{name: "authorize cluster deny", sub: user("alice"), ask: authorize("sync", "shop", "order-api", "production-eu"), rule: denyProduction, reason: "alice may not sync application `shop/order-api` on cluster `production-eu`: denied to role:dev-team-order"},
	{name: "authorize no app grant", sub: user("alice"), ask: authorize("sync", "shop", "cart", "staging-1"), reason: "no `applications, sync` grant matches on `shop/cart`; ask role:release", suggest: []string{"role:release"}},
	{name: "authorize no cluster grant", sub: user("erin", "acme/release"), ask: authorize("sync", "shop", "cart", "staging-1"), reason: "no `clusters, sync` grant matches on `staging-1`", suggest: []string{"role:dev-team-order", "role:platform-team", "role:senior-order"}},
	{name: "authorize cluster deny beats missing app", sub: user("alice"), ask: authorize("sync", "shop", "cart", "production-eu"), rule: denyProduction},
	{name: "authorize platform", sub: user("erin", "platform-admins"), ask: authorize("rollback", "infrastructure", "cert-manager", "production-eu"), allowed: true},
	{name: "authorize needs cluster", sub: user("alice"), ask: authorize("sync", "shop", "order-api", ""), reason: "must all be named"},
	{name: "authorize modify is not an app action", sub: user("erin", "platform-admins"), ask: authorize("modify", "infrastructure", "x", "c"), reason: "unknown action \"modify\""},

	// Paths versus applications versus clusters.
	{name: "paths grant is not an app grant", sub: user("alice"), ask: can("applications", "sync", "apps/order-service")},
	{name: "app grant is not a cluster grant", sub: user("erin", "acme/release"), ask: can("clusters", "sync", "shop/cart")},
	{name: "paths take modify only", sub: user("erin", "platform-admins"), ask: can("paths", "sync", "x"), reason: "paths take only the modify action"},
	{name: "unknown resource", sub: user("erin", "platform-admins"), ask: can("projects", "get", "x"), reason: "unknown resource \"projects\""},
	{name: "dot-dot path cannot escape", sub: user("alice"), ask: can("paths", "modify", "apps/order-service/../payment/values.yaml"), reason: "is not a clean repo path"},
	{name: "absolute path", sub: user("erin", "platform-admins"), ask: can("paths", "modify", "/etc/passwd"), reason: "is not a clean repo path"},
	{name: "empty object", sub: user("erin", "platform-admins"), ask: can("clusters", "get", ""), reason: "no clusters object given"},

	// The policy of the issue.
	{name: "issue: team may sync its apps", file: "policy.csv", sub: user("dave", "acme/order-team"), ask: can("applications", "sync", "applications/order-api"), allowed: true},
	{name: "issue: production denied", file: "policy.csv", sub: user("alice"), ask: can("clusters", "sync", "production-eu"), rule: "p, role:dev-team-order, clusters, sync, production-*, deny"},
	{name: "issue: platform syncs infrastructure", file: "policy.csv", sub: user("x", "platform-admins"), ask: can("applications", "sync", "infrastructure/ingress"), allowed: true},
	{name: "issue: foreign path", file: "policy.csv", sub: user("alice"), ask: can("paths", "modify", "apps/payment-service/values.yaml"), reason: "alice may not modify `apps/payment-service/values.yaml`: no `paths, modify` grant matches; no role in the policy grants it"},
	{name: "seed: team without org", file: "argocd-rbac-seed.csv", sub: user("x", "order-team"), ask: can("applications", "sync", "applications/order-api"), allowed: true},
	{name: "seed: action lines grant nothing", file: "argocd-rbac-seed.csv", sub: user("x", "order-team"), ask: can("applications", "override", "applications/order-api")},
}

func TestDecisions(t *testing.T) {
	for _, tc := range decisionCases {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.file
			if file == "" {
				file = "rules.csv"
			}
			d := tc.ask(loadTestdata(t, file, tc.opts), tc.sub)
			if d.Allowed != tc.allowed {
				t.Fatalf("Allowed = %v, want %v: %s", d.Allowed, tc.allowed, d.Reason)
			}
			if tc.rule != "" && (d.MatchedRule != tc.rule || d.Line != lineOf(t, file, tc.rule)) {
				t.Errorf("decided by line %d %q, want line %d %q", d.Line, d.MatchedRule, lineOf(t, file, tc.rule), tc.rule)
			}
			if !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("Reason = %q, want it to contain %q", d.Reason, tc.reason)
			}
			if tc.suggest != nil && !slices.Equal(d.Suggest, tc.suggest) {
				t.Errorf("Suggest = %q, want %q", d.Suggest, tc.suggest)
			}
			if !d.Allowed && d.Reason == "" {
				t.Error("a denial without a reason")
			}
		})
	}
}
