package policies

import (
	"fmt"
	"slices"
)

// ChangeVerdict is the answer to "may this author change these files?".
type ChangeVerdict struct {
	// Allowed is true when every file may be modified.
	Allowed bool
	// Reason is one sentence summing up the verdict.
	Reason string
	// Denied lists each file that may not be modified, sorted by path.
	Denied []FileDenial
}

// FileDenial is one changed file the author may not modify.
type FileDenial struct {
	Path string
	// Missing is the grant the file lacks, as written in policy.csv:
	// "paths, modify".
	Missing string
	// Decision explains the denial; its Suggest lists the roles that would
	// grant the file.
	Decision Decision
}

// CheckChange answers whether s may modify every file in files, repo paths as
// a Git host lists them for a pull request: bare for a file of the
// repository holding the policy (Options.Repo), "OWNER/REPO:path" for a
// file of another repository (see QualifyPath). Each file needs a `paths,
// modify` grant, the policy file itself included.
func (p *Policy) CheckChange(s Subject, files []string) ChangeVerdict {
	files = slices.Clone(files)
	slices.Sort(files)
	files = slices.Compact(files)
	var rs *ruleSet
	if p.broken == "" {
		rs = p.resolve(s)
	}
	var denied []FileDenial
	for _, f := range files {
		var d Decision
		if rs == nil {
			d = Decision{Reason: p.broken}
		} else {
			d = p.modify(rs, s, f)
		}
		if !d.Allowed {
			denied = append(denied, FileDenial{Path: f, Missing: "paths, modify", Decision: d})
		}
	}
	v := ChangeVerdict{Allowed: len(denied) == 0, Denied: denied}
	switch {
	case p.broken != "":
		v.Allowed = false
		v.Reason = p.broken
	case len(files) == 0:
		v.Reason = fmt.Sprintf("%s changed no files", who(s))
	case v.Allowed:
		v.Reason = fmt.Sprintf("%s may modify all %d changed %s", who(s), len(files), plural(len(files), "file", "files"))
	default:
		v.Reason = fmt.Sprintf("%s may not modify %d of %d changed %s", who(s), len(denied), len(files), plural(len(files), "file", "files"))
	}
	return v
}

// modify decides one changed file, bare (of the policy's own repository)
// or qualified "OWNER/REPO:path".
func (p *Policy) modify(rs *ruleSet, s Subject, path string) Decision {
	what := describe("paths", ActionModify, path)
	if err := ValidateRequest("paths", ActionModify, path); err != nil {
		return Decision{Reason: fmt.Sprintf("%s may not %s: %v", who(s), what, err)}
	}
	path = canonPath(p.home, path)
	if path == ":"+p.name && !p.RestrictsPaths() {
		// Open paths never open the policy file: who may change the
		// grants stays with a grant.
		if v := p.checkRules(rs, resourcePaths, ActionModify, path); !v.allowed() {
			return p.denial(v, s, resourcePaths, ActionModify, path, what, "")
		}
	}
	return p.decide(rs, s, resourcePaths, ActionModify, path, what)
}
