package policies

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Decision is the answer to one request, with the explanation a PR comment or
// a CLI prints.
type Decision struct {
	// Allowed is true only when a grant matched and no deny did.
	Allowed bool
	// Reason is one human sentence, such as "alice may not modify
	// `apps/payment-service/values.yaml`: no `paths, modify` grant matches;
	// ask role:platform-team".
	Reason string
	// MatchedRule is the line that decided, as written: the deny that
	// matched, or the grant that allowed. Empty when nothing matched.
	MatchedRule string
	// Line is MatchedRule's line number, 0 when nothing matched or when a
	// built-in role's line decided.
	Line int
	// Suggest lists the roles that would grant a request denied for lack of
	// a grant, sorted. It is empty when a deny matched: no role overrides it.
	Suggest []string
}

// verdict is the outcome of one check against one rule set.
type verdict struct {
	allow, deny *rule
}

func (v verdict) allowed() bool { return v.allow != nil && v.deny == nil }

// check finds the first deny, or failing one the first grant, in rs that
// covers action on object of res. A deny wins over any grant, wherever it
// comes from.
func (p *Policy) check(rs *ruleSet, res resource, action, object string) verdict {
	v := p.checkRules(rs, res, action, object)
	if v.deny == nil && v.allow == nil && !p.restricts(res, action) {
		v.allow = unrestricted(res, action)
	}
	return v
}

// checkRules is check without the resources the file leaves open: only a
// rule of the file, or of a built-in role, decides.
func (p *Policy) checkRules(rs *ruleSet, res resource, action, object string) verdict {
	for _, i := range rs[slot(res, true)] {
		if r := &p.rules[i]; r.appliesTo(action, object) {
			return verdict{deny: r}
		}
	}
	for _, i := range rs[slot(res, false)] {
		if r := &p.rules[i]; r.appliesTo(action, object) {
			return verdict{allow: r}
		}
	}
	return verdict{}
}

// suggest lists the roles that on their own would be allowed the request:
// the roles holding a matching grant, less those a deny stops.
func (p *Policy) suggest(res resource, action, object string) []string {
	var candidates []string
	for _, i := range p.all[slot(res, false)] {
		if p.rules[i].appliesTo(action, object) {
			candidates = append(candidates, p.heldBy[i]...)
		}
	}
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	var roles []string
	for _, role := range candidates {
		if p.check(p.grants[role], res, action, object).allowed() {
			roles = append(roles, p.spelling[role])
		}
	}
	return roles
}

// ValidateRequest returns an error when no policy can answer a request for
// action on object of resource: an unknown resource or action, an empty
// object, or a repo path that is not clean (absolute, or with an empty, "."
// or ".." segment, which could otherwise slip past a pattern).
func ValidateRequest(resource, action, object string) error {
	res, ok := parseResource(resource)
	switch {
	case !ok:
		return fmt.Errorf("unknown resource %q (want applications, clusters or paths)", resource)
	case !validAction(res, action):
		if res == resourcePaths {
			return fmt.Errorf("paths take only the modify action, not %q", action)
		}
		return fmt.Errorf("unknown action %q on %s (want get, diff, sync, rollback or override)", action, resource)
	case object == "":
		return fmt.Errorf("no %s object given", resource)
	case res == resourcePaths && !cleanPath(repoRelative(object)):
		return fmt.Errorf("%q is not a clean repo path (relative, without empty, . or .. folders)", object)
	}
	return nil
}

// repoRelative is the path part of a paths request, qualified or not.
func repoRelative(object string) string {
	_, path := splitRepoPath(object)
	return path
}

func cleanPath(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// Can answers whether s may perform action on object of resource:
// "applications" (object "project/app"), "clusters" (object a cluster name)
// or "paths" (object a repo path, action "modify").
func (p *Policy) Can(s Subject, resource, action, object string) Decision {
	what := describe(resource, action, object)
	if p.broken != "" {
		return Decision{Reason: p.broken}
	}
	if err := ValidateRequest(resource, action, object); err != nil {
		return Decision{Reason: fmt.Sprintf("%s may not %s: %v", who(s), what, err)}
	}
	res, _ := parseResource(resource)
	if res == resourcePaths {
		return p.modify(p.resolve(s), s, object)
	}
	return p.decide(p.resolve(s), s, res, action, object, what)
}

// decide turns one check into a Decision about what.
func (p *Policy) decide(rs *ruleSet, s Subject, res resource, action, object, what string) Decision {
	v := p.check(rs, res, action, object)
	if v.allowed() {
		return Decision{
			Allowed:     true,
			Reason:      fmt.Sprintf("%s may %s: granted to %s", who(s), what, v.allow.citation),
			MatchedRule: v.allow.text,
			Line:        v.allow.line,
		}
	}
	return p.denial(v, s, res, action, object, what, "")
}

// denial explains a verdict that did not allow. about names the object when
// what covers more than one check.
func (p *Policy) denial(v verdict, s Subject, res resource, action, object, what, about string) Decision {
	if v.deny != nil {
		return Decision{
			Reason:      fmt.Sprintf("%s may not %s: denied to %s%s (a deny wins over any grant)", who(s), what, v.deny.citation, about),
			MatchedRule: v.deny.text,
			Line:        v.deny.line,
		}
	}
	roles := p.suggest(res, action, object)
	return Decision{
		Reason:  fmt.Sprintf("%s may not %s: no `%s, %s` grant matches%s; %s", who(s), what, res, action, about, askFor(roles)),
		Suggest: roles,
	}
}

// Authorize answers whether s may perform action on app of project on cluster.
// It needs both an applications grant on "project/app" and a clusters grant on
// cluster, and any deny on either wins.
func (p *Policy) Authorize(s Subject, action, app, project, cluster string) Decision {
	object := project + "/" + app
	what := fmt.Sprintf("%s application `%s` on cluster `%s`", action, object, cluster)
	if p.broken != "" {
		return Decision{Reason: p.broken}
	}
	if app == "" || project == "" || cluster == "" {
		return Decision{Reason: fmt.Sprintf("%s may not %s: the app, its project and the cluster must all be named", who(s), what)}
	}
	if err := ValidateRequest("applications", action, object); err != nil {
		return Decision{Reason: fmt.Sprintf("%s may not %s: %v", who(s), what, err)}
	}
	rs := p.resolve(s)
	appV := p.check(rs, resourceApplications, action, object)
	clusterV := p.check(rs, resourceClusters, action, cluster)
	switch {
	case appV.deny != nil || !appV.allowed() && clusterV.deny == nil:
		return p.denial(appV, s, resourceApplications, action, object, what, fmt.Sprintf(" on `%s`", object))
	case !clusterV.allowed():
		return p.denial(clusterV, s, resourceClusters, action, cluster, what, fmt.Sprintf(" on `%s`", cluster))
	}
	return Decision{
		Allowed: true,
		Reason: fmt.Sprintf("%s may %s: the application is granted to %s and the cluster to %s",
			who(s), what, appV.allow.citation, clusterV.allow.citation),
		MatchedRule: appV.allow.text,
		Line:        appV.allow.line,
	}
}

// describe phrases a request for a sentence: "modify `a/b.yaml`",
// "sync application `shop/cart`", "sync on cluster `prod`".
func describe(resource, action, object string) string {
	switch resource {
	case "paths":
		return fmt.Sprintf("%s `%s`", action, object)
	case "applications":
		return fmt.Sprintf("%s application `%s`", action, object)
	case "clusters":
		return fmt.Sprintf("%s on cluster `%s`", action, object)
	}
	return fmt.Sprintf("%s %s `%s`", action, resource, object)
}

// who names the subject in a sentence. A login with non-ASCII characters is
// quoted with escapes, so a homoglyph cannot pass for the login it imitates.
func who(s Subject) string {
	switch {
	case s.Login == "":
		return "an anonymous user"
	case !isPrintableASCII(s.Login):
		return strconv.QuoteToASCII(s.Login)
	}
	return s.Login
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// askFor ends a denial: whom to ask, naming at most three roles.
func askFor(roles []string) string {
	switch n := len(roles); {
	case n == 0:
		return "no role in the policy grants it"
	case n <= 3:
		return "ask " + strings.Join(roles, " or ")
	default:
		return fmt.Sprintf("ask %s (or %d other %s)", strings.Join(roles[:3], ", "), n-3, plural(n-3, "role", "roles"))
	}
}
