package policies

import (
	"strings"
	"unicode/utf8"
)

// grant parses "p, subject, resource, action, object, effect". A line on
// resource "*" becomes one rule per resource its action applies to.
func (ps *parser) grant(n int, text string, fields []string) {
	if len(fields) != 6 {
		ps.problem(n, text, SeverityError,
			"a p line has 6 fields (p, subject, resource, action, object, effect), this one has %d", len(fields))
		return
	}
	subject, resName, action, object, effect := fields[1], fields[2], fields[3], fields[4], fields[5]
	folded, okSubject := ps.name(n, text, "subject", subject)
	before := len(ps.problems)
	if effect != "allow" && effect != "deny" {
		ps.problem(n, text, SeverityError, "unknown effect %q (want allow or deny)", effect)
	}
	targets, inert := ps.targets(n, text, resName, action)
	targets = ps.matchable(n, text, targets, object)
	if !okSubject {
		return
	}
	ps.defined[folded] = true
	if inert || len(ps.problems) > before {
		return
	}
	for _, res := range targets {
		op := compileObject(res, object)
		if res == resourcePaths {
			op = compilePathObject(ps.home, object)
		}
		ps.rules = append(ps.rules, rule{
			line: n, text: text, subject: folded, holder: subject, res: res,
			action: action, object: op, deny: effect == "deny",
			citation: cite(subject, n),
		})
	}
}

// targets checks the resource and action of a p line and returns the resources
// the line grants on. inert is true for a valid Argo CD line that means
// nothing to gitwave; a warning says so.
func (ps *parser) targets(n int, text, resName, action string) (targets []resource, inert bool) {
	all := []resource{resourceApplications, resourceClusters, resourcePaths}
	switch res, known := parseResource(resName); {
	case known:
		all = []resource{res}
	case resName == "*":
	case argoOnlyResources[resName]:
		ps.problem(n, text, SeverityWarning, "gitwave never checks Argo CD resource %q, so this line has no effect", resName)
		return nil, true
	default:
		ps.problem(n, text, SeverityError, "unknown resource %q (want applications, clusters, paths or *)", resName)
		return nil, false
	}
	if action == "*" {
		return all, false
	}
	if argoOnlyActions[action] || strings.HasPrefix(action, "action/") {
		ps.problem(n, text, SeverityWarning, "gitwave never asks for Argo CD action %q, so this line has no effect", action)
		return nil, true
	}
	for _, res := range all {
		if validAction(res, action) {
			targets = append(targets, res)
		}
	}
	switch {
	case len(targets) > 0:
	case action == ActionModify:
		ps.problem(n, text, SeverityError, "action modify applies to paths only, not to %s", resName)
	case validAction(resourceApplications, action):
		ps.problem(n, text, SeverityError, "paths take only the modify action, not %q", action)
	default:
		ps.problem(n, text, SeverityError, "unknown action %q (want get, diff, sync, rollback, override, modify or *)", action)
	}
	return targets, false
}

// matchable keeps the resources on which object can match something. A line
// on one resource whose object can never match is malformed; a line on "*" is
// malformed only if its object can match on none of them.
func (ps *parser) matchable(n int, text string, targets []resource, object string) []resource {
	var kept []resource
	var why string
	for _, res := range targets {
		if msg := checkObject(res, object); msg != "" {
			why = msg
			continue
		}
		kept = append(kept, res)
	}
	if len(kept) == 0 && why != "" {
		ps.problem(n, text, SeverityError, "the object %q %s", object, why)
		return nil
	}
	return kept
}

// checkObject returns why pattern can never match an object of res, or "" if
// it can.
func checkObject(res resource, pattern string) string {
	switch {
	case pattern == "":
		return "is empty"
	case pattern == "*" || pattern == "**":
		return ""
	case strings.Contains(pattern, "***"):
		return `holds "***"; use * within a name or ** across folders`
	case strings.Contains(pattern, `\`):
		return `holds "\"; objects use "/" and backslash escapes are not supported`
	}
	if res == resourcePaths {
		if repo, glob := splitRepoPath(pattern); repo != "" {
			if glob == "*" || glob == "**" {
				return ""
			}
			return checkPathPattern(glob)
		}
		return checkPathPattern(pattern)
	}
	if strings.ContainsAny(pattern, "[]{}") {
		return "uses [...] or {...}; only * and ? are supported, so write one line per alternative"
	}
	for i := 0; i < len(pattern); i++ {
		if c := pattern[i]; c <= ' ' || c >= utf8.RuneSelf {
			return "holds a space or a non-ASCII character, which no application or cluster name has"
		}
	}
	if res == resourceApplications {
		if !strings.Contains(pattern, "*") && !strings.Contains(pattern, "/") {
			return "is not of the form project/app"
		}
		if strings.HasPrefix(pattern, "/") || strings.HasSuffix(pattern, "/") || strings.Contains(pattern, "//") {
			return "has an empty project or app name"
		}
	}
	return ""
}

// checkPathPattern returns why a repo path pattern can never match a
// changed file, or "" if it can.
func checkPathPattern(pattern string) string {
	if strings.HasPrefix(pattern, "/") {
		return `starts with "/"; repo paths are relative to the repo root`
	}
	if strings.ContainsAny(pattern, "[]{}") {
		return "uses [...] or {...}; only *, ? and ** are supported, so write one line per alternative (? matches one character, [ and ] included)"
	}
	for _, seg := range strings.Split(pattern, "/") {
		switch {
		case seg == "":
			return "has an empty folder name (a doubled or trailing /)"
		case seg == "." || seg == "..":
			return `has a "." or ".." folder, which changed paths never have`
		case seg != "**" && strings.Contains(seg, "**"):
			return `has "**" inside a name; ** must be a whole folder, as in apps/**/values.yaml`
		}
	}
	return ""
}
