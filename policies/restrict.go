package policies

import "fmt"

// restrictions records which resources the file restricts by granting them.
// A policy that never grants `paths` (as Argo CD's policy files, the guide's
// among them, never do) leaves every path open to every author; one that
// never grants an action on `clusters` leaves that action to the
// applications grant alone, as Argo CD decides a sync. A deny applies in
// every case: it needs no grant to mean something.
type restrictions struct {
	paths bool
	// clusters holds the actions a clusters grant names; "*" covers all.
	clusters map[string]bool
}

// restrictionsOf reads the file's own allow lines; the built-in roles, which
// grant everything to role:admin, restrict nothing on their own.
func restrictionsOf(rules []rule) restrictions {
	r := restrictions{clusters: map[string]bool{}}
	for _, rl := range rules {
		if isBuiltin(rl.line) || rl.deny {
			continue
		}
		switch rl.res {
		case resourcePaths:
			r.paths = true
		case resourceClusters:
			r.clusters[rl.action] = true
		}
	}
	return r
}

// RestrictsPaths reports whether the file grants `paths` to anyone. Without
// such a grant, CheckChange allows every file a deny does not name, except
// the policy file itself, which always needs a grant (role:admin has one).
func (p *Policy) RestrictsPaths() bool { return p.broken != "" || p.restrict.paths }

// RestrictsClusters reports whether the file grants action (or "*") on
// `clusters` to anyone. Without such a grant, Authorize needs only the
// applications grant for action, unless a clusters deny matches.
func (p *Policy) RestrictsClusters(action string) bool {
	return p.broken != "" || p.restrict.clusters[action] || p.restrict.clusters["*"]
}

// restricts reports whether a request on res with action needs a grant:
// always for applications, and for paths and clusters once the file grants
// them.
func (p *Policy) restricts(res resource, action string) bool {
	switch res {
	case resourcePaths:
		return p.RestrictsPaths()
	case resourceClusters:
		return p.RestrictsClusters(action)
	}
	return true
}

// Notes explain, once per policy, what the file leaves unrestricted because
// it never grants it; validate and the pull request comment show them.
func (p *Policy) Notes() []string {
	if p.broken != "" {
		return nil
	}
	var notes []string
	if !p.RestrictsPaths() {
		notes = append(notes, fmt.Sprintf("%s grants no `paths`: every author may change every path a deny does not name, but the policy file itself needs a grant such as role:admin's (add `paths, modify` grants to restrict who may change what)", p.name))
	}
	var open []string
	for _, action := range []string{ActionSync, ActionRollback} {
		if !p.RestrictsClusters(action) {
			open = append(open, action)
		}
	}
	if len(open) > 0 {
		notes = append(notes, fmt.Sprintf("%s grants no `clusters` for %v: the applications grant alone decides it on every cluster a deny does not name, as in Argo CD", p.name, open))
	}
	return notes
}

// unrestricted is the rule cited when a resource the file never grants is
// allowed: its text says why.
func unrestricted(res resource, action string) *rule {
	text := fmt.Sprintf("the policy grants no `%s, %s`, so it is not restricted", res, action)
	return &rule{text: text, citation: fmt.Sprintf("everyone, as the policy grants no `%s, %s`", res, action)}
}
