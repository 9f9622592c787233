package policies

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// policyGen generates small random policies and requests from a fixed seed,
// so a failure always reproduces.
type policyGen struct{ r *rand.Rand }

var (
	genSubjects = []string{"alice", "bob", "acme/a", "acme/b", "role:r1", "role:r2", "role:r3", "role:readonly"}
	// genRoles holds the built-in roles too, so that the casbin oracle
	// also checks them and the file's lines on them.
	genRoles   = []string{"role:r1", "role:r2", "role:r3", RoleReadonly, RoleAdmin}
	genObjects = map[string][]string{
		"applications": {"*", "shop/*", "shop/cart", "*/cart", "infra/*", "shop/c?rt"},
		"clusters":     {"*", "prod-*", "prod-eu", "staging-*", "*-eu"},
		"paths":        {"**", "apps/**", "apps/*/values.yaml", "apps/a/*", "**/secrets/**", "docs/*.md"},
		"*":            {"*", "shop/*", "prod-*", "apps/**"},
	}
	genActions = map[string][]string{
		"applications": {"get", "sync", "rollback", "*"},
		"clusters":     {"get", "sync", "*"},
		"paths":        {"modify", "*"},
		"*":            {"get", "sync", "modify", "*"},
	}
	genRequests = map[string][]string{
		"applications": {"shop/cart", "shop/cat", "infra/db", "x/cart"},
		"clusters":     {"prod-eu", "prod-us", "staging-1", "dev-eu"},
		"paths":        {"apps/a/values.yaml", "apps/b/secrets/x", "docs/r.md", "docs/x/r.md", "secrets/k"},
	}
	genResources = []string{"applications", "clusters", "paths", "*"}
)

func (g policyGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// pLine returns a random p line with the given effect.
func (g policyGen) pLine(effect string) string {
	res := g.pick(genResources)
	return fmt.Sprintf("p, %s, %s, %s, %s, %s", g.pick(genSubjects), res, g.pick(genActions[res]), g.pick(genObjects[res]), effect)
}

// policy returns the text of a random policy. Every role gets one grant of
// its own, so that g lines never name an undefined role.
func (g policyGen) policy() string {
	var b strings.Builder
	for i, role := range genRoles {
		fmt.Fprintf(&b, "p, %s, clusters, get, zz-%d, allow\n", role, i)
	}
	for n := g.r.IntN(10); n > 0; n-- {
		effect := "allow"
		if g.r.IntN(4) == 0 {
			effect = "deny"
		}
		b.WriteString(g.pLine(effect) + "\n")
	}
	for n := g.r.IntN(6); n > 0; n-- {
		fmt.Fprintf(&b, "g, %s, %s\n", g.pick(genSubjects), g.pick(genRoles))
	}
	return b.String()
}

func (g policyGen) options() Options {
	switch g.r.IntN(4) {
	case 0:
		return Options{DefaultRole: "role:r1"}
	case 1:
		return Options{DefaultRole: RoleReadonly}
	}
	return Options{}
}

type genRequest struct {
	sub                      Subject
	resource, action, object string
}

func (g policyGen) request() genRequest {
	var groups []string
	for _, grp := range []string{"acme/a", "ACME/B", "role:r2"} {
		if g.r.IntN(3) == 0 {
			groups = append(groups, grp)
		}
	}
	res := g.pick([]string{"applications", "clusters", "paths"})
	action := ActionModify
	if res != "paths" {
		action = g.pick([]string{"get", "sync", "rollback"})
	}
	return genRequest{
		sub:      Subject{Login: g.pick([]string{"alice", "Bob", "carol", ""}), Groups: groups},
		resource: res, action: action, object: g.pick(genRequests[res]),
	}
}

func mustParse(t *testing.T, text string, opts Options) *Policy {
	t.Helper()
	p, err := Load(strings.NewReader(text), "gen.csv", opts)
	if err != nil {
		t.Fatalf("generated policy does not load: %v\n%s", err, text)
	}
	return p
}

// TestPropertyDenyNeverWidensAllowNeverNarrows adds one random line to random
// policies: a deny may only take answers away, an allow may only add them,
// except that the file's first grant on paths or on an action on clusters
// restricts that resource to those granted.
func TestPropertyDenyNeverWidensAllowNeverNarrows(t *testing.T) {
	g := policyGen{rand.New(rand.NewPCG(3, 17))}
	for i := 0; i < 200; i++ {
		text, opts := g.policy(), g.options()
		before := mustParse(t, text, opts)
		for _, effect := range []string{"deny", "allow"} {
			line := g.pLine(effect)
			after := mustParse(t, text+line+"\n", opts)
			for j := 0; j < 40; j++ {
				rq := g.request()
				if res, _ := parseResource(rq.resource); before.restricts(res, rq.action) != after.restricts(res, rq.action) {
					// The file's first grant on a resource restricts it: from
					// then on everyone else needs one too, by design.
					continue
				}
				was := before.Can(rq.sub, rq.resource, rq.action, rq.object).Allowed
				is := after.Can(rq.sub, rq.resource, rq.action, rq.object).Allowed
				if effect == "deny" && is && !was || effect == "allow" && was && !is {
					t.Fatalf("adding %q changed %+v from %v to %v in\n%s", line, rq, was, is, text)
				}
			}
		}
	}
}

// TestPropertyAgreesWithCasbin checks the index against the casbin model it
// stands in for, on random policies and requests.
func TestPropertyAgreesWithCasbin(t *testing.T) {
	g := policyGen{rand.New(rand.NewPCG(5, 23))}
	answers := map[bool]int{}
	for i := 0; i < 100; i++ {
		text, opts := g.policy(), g.options()
		p := mustParse(t, text, opts)
		ref, err := newCasbinEnforcer(p, opts)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 20; j++ {
			rq := g.request()
			want, err := ref.allowed(rq.sub, rq.resource, rq.action, rq.object)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Can(rq.sub, rq.resource, rq.action, rq.object); got.Allowed != want {
				t.Fatalf("%+v: index says %v (%s), casbin says %v, policy (%+v):\n%s", rq, got.Allowed, got.Reason, want, opts, text)
			}
			answers[want]++
		}
	}
	if answers[true] < 100 || answers[false] < 100 {
		t.Fatalf("generated requests are too one-sided to compare: %v", answers)
	}
}

// TestPropertyCaseAndHomoglyphs checks that case never changes an answer and
// that a login with a non-ASCII letter gets no more than an anonymous user.
func TestPropertyCaseAndHomoglyphs(t *testing.T) {
	g := policyGen{rand.New(rand.NewPCG(7, 29))}
	for i := 0; i < 200; i++ {
		text, opts := g.policy(), g.options()
		p := mustParse(t, text, opts)
		for j := 0; j < 30; j++ {
			rq := g.request()
			base := p.Can(rq.sub, rq.resource, rq.action, rq.object).Allowed
			upper := Subject{Login: strings.ToUpper(rq.sub.Login)}
			for _, grp := range rq.sub.Groups {
				upper.Groups = append(upper.Groups, strings.ToUpper(grp))
			}
			if got := p.Can(upper, rq.resource, rq.action, rq.object).Allowed; got != base {
				t.Fatalf("%+v: upper case gives %v, lower %v", rq, got, base)
			}
			fake := Subject{Login: strings.Replace(rq.sub.Login+"a", "a", "\u0430", 1)}
			anon := p.Can(Subject{}, rq.resource, rq.action, rq.object).Allowed
			if got := p.Can(fake, rq.resource, rq.action, rq.object).Allowed; got && !anon {
				t.Fatalf("%+v: homoglyph login %q allowed where an anonymous user is not", rq, fake.Login)
			}
		}
	}
}
