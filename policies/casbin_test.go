package policies

import (
	"fmt"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// casbinModel is the policy's specification in casbin's language: Argo CD's
// model with a deny-override effect, resource and action matched as "*" or
// exactly, and the object matched by gitwave's own globs (objectMatch), never
// by a regular expression.
const casbinModel = `
[request_definition]
r = sub, res, act, obj

[policy_definition]
p = sub, res, act, obj, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub, p.sub) && r.res == p.res && (p.act == "*" || r.act == p.act) && objectMatch(r.res, r.obj, p.obj)
`

// principal is the casbin subject standing for one Subject: it inherits the
// login, every group and the default role, so that a deny reached through any
// of them wins, as in Policy.Can.
const principal = "\x00principal"

// casbinEnforcer evaluates a policy with casbin. Policy answers from an index
// instead, because casbin scans every line on every request (see
// bench_test.go); tests check that the two agree.
type casbinEnforcer struct {
	e           *casbin.Enforcer
	defaultRole string
}

// newCasbinEnforcer loads p's effective rules and role edges into casbin.
func newCasbinEnforcer(p *Policy, opts Options) (*casbinEnforcer, error) {
	m, err := model.NewModelFromString(casbinModel)
	if err != nil {
		return nil, fmt.Errorf("load casbin model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("create casbin enforcer: %w", err)
	}
	e.AddFunction("objectMatch", func(args ...any) (any, error) {
		res, _ := parseResource(args[0].(string))
		op, obj := compileObject(res, args[2].(string)), args[1].(string)
		if res == resourcePaths {
			obj = canonPath("", obj)
		}
		return op.match(obj), nil
	})
	var rows [][]string
	for _, r := range p.rules {
		eft := "allow"
		if r.deny {
			eft = "deny"
		}
		rows = append(rows, []string{r.subject, r.res.String(), r.action, r.object.raw, eft})
	}
	if len(rows) > 0 {
		if _, err := e.AddPoliciesEx(rows); err != nil {
			return nil, fmt.Errorf("load %s into casbin: %w", p.name, err)
		}
	}
	for _, g := range p.edges {
		if _, err := e.AddGroupingPolicy(g.member, g.role); err != nil {
			return nil, fmt.Errorf("load %s line %d into casbin: %w", p.name, g.line, err)
		}
	}
	// A resource and action the file never grants is open to all but a
	// deny: the oracle grants it to a subject everyone holds.
	for _, res := range []resource{resourceClusters, resourcePaths} {
		for _, action := range []string{ActionGet, ActionDiff, ActionSync, ActionRollback, ActionOverride, ActionModify} {
			if validAction(res, action) && !fileGrants(p, res, action) {
				if _, err := e.AddPolicy(unrestrictedSubject, res.String(), action, "*", "allow"); err != nil {
					return nil, fmt.Errorf("load the unrestricted grants into casbin: %w", err)
				}
			}
		}
	}
	role, _ := foldName(opts.DefaultRole)
	return &casbinEnforcer{e: e, defaultRole: role}, nil
}

// unrestrictedSubject holds, in the oracle, what the file leaves open.
const unrestrictedSubject = "unrestricted:"

// fileGrants reports whether a line of the file itself allows action (or
// "*") on res.
func fileGrants(p *Policy, res resource, action string) bool {
	for _, r := range p.rules {
		if !isBuiltin(r.line) && !r.deny && r.res == res && (r.action == action || r.action == "*") {
			return true
		}
	}
	return false
}

// allowed answers one request for s. It is not safe for concurrent use.
func (c *casbinEnforcer) allowed(s Subject, resource, action, object string) (bool, error) {
	var names []string
	names = append(names, unrestrictedSubject)
	for _, n := range append([]string{s.Login, c.defaultRole}, s.Groups...) {
		if folded, ok := foldName(n); ok {
			names = append(names, folded)
		}
	}
	for _, n := range names {
		if _, err := c.e.AddGroupingPolicy(principal, n); err != nil {
			return false, fmt.Errorf("link subject %s: %w", n, err)
		}
	}
	defer c.e.RemoveFilteredGroupingPolicy(0, principal)
	return c.e.Enforce(principal, resource, action, object)
}
