package policies

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// roleCase is one question asked of an inline policy.
type roleCase struct {
	name    string
	policy  string
	opts    Options
	sub     Subject
	ask     request
	allowed bool
	rule    string // the line that decided, "" when none matched
	line    int    // its line number; 0 for a built-in line
	reason  string // a part of Decision.Reason
	suggest []string
}

const (
	builtinReadonlyApps = "p, role:readonly, applications, get, */*, allow"
	builtinAdmin        = "p, role:admin, *, *, *, allow"
)

// TestBuiltinRoles checks that role:readonly and role:admin exist without
// being defined, grant what Argo CD's do in gitwave's terms, and that a
// file's own lines on them add grants or denies as in Argo CD.
func TestBuiltinRoles(t *testing.T) {
	const team = "p, role:team, applications, get, shop/*, allow\n"
	cases := []roleCase{
		{name: "file line named before built-in", policy: team + "g, zed, role:team\n", opts: readonly, sub: user("zed"), ask: can("applications", "get", "shop/cart"),
			allowed: true, rule: "p, role:team, applications, get, shop/*, allow", line: 1},
		{name: "readonly built-in line decides", policy: "", opts: readonly, sub: user("zed"), ask: can("applications", "get", "infra/db"),
			allowed: true, rule: builtinReadonlyApps, reason: "zed may get application `infra/db`: granted to role:readonly (built in)"},
		{name: "readonly gets clusters", opts: readonly, sub: user("zed"), ask: can("clusters", "get", "production-eu"),
			allowed: true, rule: "p, role:readonly, clusters, get, *, allow"},
		{name: "readonly authorizes get", opts: readonly, sub: user("zed"), ask: authorize("get", "shop", "cart", "production-eu"), allowed: true},
		{name: "readonly may not sync", opts: readonly, sub: user("zed"), ask: can("applications", "sync", "shop/cart"),
			reason: "no `applications, sync` grant matches; no role in the policy grants it"},
		{name: "readonly may not diff", opts: readonly, sub: user("zed"), ask: can("applications", "diff", "shop/cart")},
		{name: "readonly may not rollback on cluster", policy: "p, role:ops, clusters, rollback, x, allow\n", opts: readonly, sub: user("zed"), ask: can("clusters", "rollback", "staging")},
		{name: "readonly may not modify", policy: "p, role:ops, paths, modify, x, allow\n", opts: readonly, sub: user("zed"), ask: can("paths", "modify", "README.md")},
		{name: "a file without paths grants restricts no path", opts: readonly, sub: user("zed"), ask: can("paths", "modify", "README.md"), allowed: true,
			reason: "granted to everyone, as the policy grants no `paths, modify`"},
		{name: "open paths never open the policy file", opts: readonly, sub: user("zed"), ask: can("paths", "modify", "policy.csv"),
			reason: "no `paths, modify` grant matches"},
		{name: "role:admin may change the policy file when paths are open", policy: "g, erin, role:admin\n", sub: user("erin"), ask: can("paths", "modify", "policy.csv"), allowed: true, rule: builtinAdmin},
		{name: "a file without clusters grants leaves sync to the app grant", policy: "p, zed, applications, sync, shop/*, allow\n", sub: user("zed"),
			ask: authorize("sync", "shop", "cart", "production-eu"), allowed: true, reason: "the cluster to everyone, as the policy grants no `clusters, sync`"},
		{name: "a deny binds without any grant", policy: "p, zed, paths, modify, secrets/**, deny\n", sub: user("zed"),
			ask: can("paths", "modify", "secrets/db.yaml"), line: 1, rule: "p, zed, paths, modify, secrets/**, deny"},
		{name: "a deny on one path leaves the others open", policy: "p, zed, paths, modify, secrets/**, deny\n", sub: user("zed"),
			ask: can("paths", "modify", "apps/a.yaml"), allowed: true},
		{name: "a cluster deny binds without any grant", policy: "p, zed, applications, sync, shop/*, allow\np, zed, clusters, sync, production-*, deny\n", sub: user("zed"),
			ask: authorize("sync", "shop", "cart", "production-eu"), line: 2, rule: "p, zed, clusters, sync, production-*, deny"},
		{name: "a built-in admin grant restricts nothing", policy: "g, erin, role:admin\n", sub: user("zed"), ask: can("paths", "modify", "README.md"), allowed: true},
		{name: "readonly by g line", policy: "g, acme/audit, role:readonly\n", sub: user("ann", "acme/audit"), ask: can("clusters", "get", "x"), allowed: true},
		{name: "no default role, no readonly", sub: user("zed"), ask: can("applications", "get", "shop/cart")},

		{name: "admin syncs anything", policy: "g, acme/platform, role:admin\n", sub: user("erin", "acme/platform"),
			ask: authorize("sync", "payments", "api", "production-eu"), allowed: true, rule: builtinAdmin, reason: "granted to role:admin (built in)"},
		{name: "admin modifies any path", policy: "g, erin, role:admin\n", sub: user("erin"), ask: can("paths", "modify", "policies/policy.csv"), allowed: true, rule: builtinAdmin},
		{name: "admin overrides", policy: "g, erin, role:admin\n", sub: user("erin"), ask: can("clusters", "override", "prod"), allowed: true},
		{name: "admin as default role", opts: Options{DefaultRole: "role:admin"}, sub: user("zed"), ask: can("applications", "rollback", "a/b"), allowed: true},
		{name: "admin inherits readonly", policy: "p, role:readonly, paths, modify, docs/**, allow\ng, erin, role:admin\n", sub: user("erin"),
			ask: can("paths", "modify", "docs/x.md"), allowed: true, rule: "p, role:readonly, paths, modify, docs/**, allow", line: 1},
		{name: "admin not for the login admin", sub: user("admin"), ask: can("applications", "sync", "a/b")},

		{name: "file adds to readonly", policy: "p, role:readonly, applications, sync, sandbox/*, allow\n", opts: readonly, sub: user("zed"),
			ask: can("applications", "sync", "sandbox/x"), allowed: true, line: 1, rule: "p, role:readonly, applications, sync, sandbox/*, allow"},
		{name: "file adds nothing elsewhere", policy: "p, role:readonly, applications, sync, sandbox/*, allow\n", opts: readonly, sub: user("zed"),
			ask: can("applications", "sync", "shop/x"), reason: "no role in the policy grants it", suggest: []string{}},
		{name: "file narrows readonly", policy: "p, role:readonly, clusters, get, secret-*, deny\n", opts: readonly, sub: user("zed"),
			ask: can("clusters", "get", "secret-1"), line: 1, rule: "p, role:readonly, clusters, get, secret-*, deny"},
		{name: "file narrows readonly, rest stays", policy: "p, role:readonly, clusters, get, secret-*, deny\n", opts: readonly, sub: user("zed"),
			ask: can("clusters", "get", "prod"), allowed: true},
		{name: "file deny on readonly binds admins", policy: "p, role:readonly, clusters, get, secret-*, deny\ng, erin, role:admin\n", sub: user("erin"),
			ask: can("clusters", "get", "secret-1"), line: 1, rule: "p, role:readonly, clusters, get, secret-*, deny"},
		{name: "file narrows admin", policy: "p, role:admin, paths, modify, secrets/**, deny\ng, erin, role:admin\n", sub: user("erin"),
			ask: can("paths", "modify", "secrets/db.yaml"), line: 1, rule: "p, role:admin, paths, modify, secrets/**, deny"},
		{name: "role:admin suggested only when named", policy: team, sub: user("zed"), ask: can("applications", "sync", "shop/cart"),
			reason: "no role in the policy grants it", suggest: []string{}},
		{name: "role:admin suggested when the file names it", policy: team + "g, acme/platform, role:admin\n", sub: user("zed"),
			ask: can("applications", "sync", "shop/cart"), suggest: []string{"role:admin"}},
	}
	runRoleCases(t, cases)
}

func runRoleCases(t *testing.T, cases []roleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, problems, err := Parse(strings.NewReader(tc.policy), "policy.csv", tc.opts)
			if err != nil || HasErrors(problems) {
				t.Fatalf("Parse = %v, %v", problems, err)
			}
			d := tc.ask(p, tc.sub)
			if d.Allowed != tc.allowed {
				t.Fatalf("Allowed = %v, want %v: %s", d.Allowed, tc.allowed, d.Reason)
			}
			if tc.rule != "" && (d.MatchedRule != tc.rule || d.Line != tc.line) {
				t.Errorf("decided by line %d %q, want line %d %q", d.Line, d.MatchedRule, tc.line, tc.rule)
			}
			if !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("Reason = %q, want it to contain %q", d.Reason, tc.reason)
			}
			if tc.suggest != nil && !slices.Equal(d.Suggest, tc.suggest) && len(d.Suggest)+len(tc.suggest) > 0 {
				t.Errorf("Suggest = %q, want %q", d.Suggest, tc.suggest)
			}
		})
	}
}

// TestBuiltinRolesAreNotCounted checks that validate's grant count and the
// names a host is asked about are the file's own.
func TestBuiltinRolesAreNotCounted(t *testing.T) {
	p := mustParse(t, "p, role:x, applications, get, a/*, allow\ng, alice, role:x\n", readonly)
	if p.Rules() != 1 {
		t.Errorf("Rules() = %d, want the file's 1", p.Rules())
	}
	if got := p.GroupNames(); !slices.Equal(got, []string{"alice"}) {
		t.Errorf("GroupNames() = %q, want [alice]", got)
	}
}

// TestUndefinedRolesWarn checks that a role no line defines, in a g line or
// as the default role, is a warning as in Argo CD: the file loads, every
// other grant applies, and the warning names the line.
func TestUndefinedRolesWarn(t *testing.T) {
	const text = "p, role:dev, applications, sync, shop/*, allow\n" +
		"g, acme/dev, role:dev\n" +
		"g, acme/dev, role:typo\n" +
		"g, acme/ops, role:missing\n"
	p, problems, err := Parse(strings.NewReader(text), "policy.csv", Options{DefaultRole: "role:everyone"})
	if err != nil || p.Err() != nil || HasErrors(problems) {
		t.Fatalf("Parse = %v, %v, %v; want a usable policy", problems, err, p.Err())
	}
	want := []string{
		`line 3: warning: role "role:typo" is used but never defined: no p line grants it anything and no g line gives it a role, so this line grants nothing`,
		`line 4: warning: role "role:missing" is used but never defined: no p line grants it anything and no g line gives it a role, so this line grants nothing`,
		`policy.default: warning: the default role "role:everyone" (policy.default) is never defined: no p line grants it anything and no g line gives it a role, so it grants nobody anything`,
	}
	var got []string
	for _, pr := range problems {
		got = append(got, pr.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if u := p.UndefinedRoles(); len(u) != 3 || u[0].Line != 3 || u[1].Text != "g, acme/ops, role:missing" || u[2].Line != 0 {
		t.Errorf("UndefinedRoles() = %v, want the three warnings", u)
	}
	if d := p.Can(user("dave", "acme/dev"), "applications", "sync", "shop/cart"); !d.Allowed {
		t.Errorf("the team's defined role stopped working: %s", d.Reason)
	}
	if d := p.Can(user("olga", "acme/ops"), "applications", "get", "shop/cart"); d.Allowed {
		t.Errorf("an undefined role granted something: %s", d.Reason)
	}
	if names := p.GroupNames(); !slices.Equal(names, []string{"acme/dev"}) {
		t.Errorf("GroupNames() = %q, want only acme/dev: acme/ops holds nothing", names)
	}
	var out bytes.Buffer
	if err := WriteProblems(&out, "policy.csv", problems[:1]); err != nil || out.String() !=
		"policy.csv:3: warning: role \"role:typo\" is used but never defined: no p line grants it anything and no g line gives it a role, so this line grants nothing\n\tg, acme/dev, role:typo\n" {
		t.Errorf("WriteProblems = %q, %v", out.String(), err)
	}
}

// TestUndefinedRoleDoesNotHideErrors checks that a malformed line still
// breaks a policy that also has an undefined role, and that the deny of a
// defined role still beats the default role.
func TestUndefinedRoleDoesNotHideErrors(t *testing.T) {
	p, problems, err := Parse(strings.NewReader("g, a, role:typo\np, role:x, paths, modify, **, alow\n"), "p.csv", readonly)
	if err != nil || !HasErrors(problems) || p.Err() == nil || len(p.UndefinedRoles()) != 0 {
		t.Fatalf("Parse = %v, %v; want a Broken policy", problems, err)
	}
	if d := p.Can(user("a"), "applications", "get", "x/y"); d.Allowed {
		t.Error("a broken policy allowed role:readonly's get")
	}
	p = mustParse(t, "p, role:x, clusters, get, prod, deny\ng, a, role:x\ng, a, role:typo\n", readonly)
	if d := p.Can(user("a"), "clusters", "get", "prod"); d.Allowed || d.Line != 1 {
		t.Errorf("the default role escaped a deny: %+v", d)
	}
}
