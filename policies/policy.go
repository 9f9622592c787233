package policies

import (
	"fmt"
	"io"
	"math/bits"
	"slices"
)

// Options configure how a policy file is evaluated. The zero value has no
// default role: a subject gets exactly what its login and groups are granted.
type Options struct {
	// DefaultRole is granted to every subject, like Argo CD's policy.default
	// (for example "role:readonly"). A role that neither the file nor the
	// built-in roles (role:readonly, role:admin) define grants nothing and
	// gets a warning, as in Argo CD.
	DefaultRole string
	// Repo is the repository that holds the policy file, OWNER/REPO (a
	// GitLab project's full path): an unqualified paths glob, and a
	// changed file asked about without a repository, are of Repo. Empty
	// leaves it unnamed: unqualified globs then match only unqualified
	// files, and "OWNER/REPO:GLOB" only files of that repository.
	Repo string
}

// Subject is who asks: a Git-host login and the teams or groups it belongs to,
// spelled as the policy names them (see Policy.GroupNames). Both are matched
// without regard to ASCII case; a name with any non-ASCII character matches
// nothing.
type Subject struct {
	Login  string
	Groups []string
}

// Policy is a loaded policy file, ready to answer questions. It is safe for
// concurrent use. A Policy from Broken, or from Load or Parse of a malformed
// file, denies everything and says why in every Decision.
type Policy struct {
	name   string
	home   string // Options.Repo
	broken string // the reason every request is denied; "" for a usable policy
	err    error  // why the policy is broken; nil for a usable policy
	rules  []rule
	edges  []edge
	// fileRules counts the rules from the file, which come before the
	// built-in ones in rules.
	fileRules int
	// undefined holds the warnings about roles used but never defined.
	undefined []Problem
	// groupNames is what GroupNames returns.
	groupNames []string
	// restrict says which resources the file restricts by granting them.
	restrict restrictions
	// grants maps each folded name to the rules it holds directly or through
	// the roles it inherits, per resource, in line order.
	grants map[string]*ruleSet
	// defaults is the closure of Options.DefaultRole; nil without one.
	defaults *ruleSet
	// roles lists the folded role names a denial may suggest, sorted.
	roles []string
	// all holds every rule, and heldBy, per rule, the roles among roles
	// whose closure holds it: together they find the roles to suggest
	// without trying every role.
	all      ruleSet
	heldBy   [][]string
	spelling map[string]string
	cache    subjectCache
}

// ruleSet holds indexes into Policy.rules, ascending, in one list per
// resource and effect (see slot): a check scans the few denies first and
// then stops at the first grant that matches.
type ruleSet [2 * numResources][]int32

// slot is the list of a ruleSet that holds rules of res with the effect.
func slot(res resource, deny bool) int {
	if deny {
		return 2*int(res) + 1
	}
	return 2 * int(res)
}

// Load reads and checks a policy file. For a malformed file it returns a
// *MalformedError naming the first bad line, together with a Policy that
// denies everything, so a caller that ignores the error still fails closed.
// Warnings do not stop a file from loading; Parse returns them.
func Load(r io.Reader, name string, opts Options) (*Policy, error) {
	p, _, err := Parse(r, name, opts)
	if err != nil {
		return Broken(err), err
	}
	return p, p.Err()
}

// Broken returns a Policy that denies every request with the reason
// "<err>; no grants apply until it is fixed". err should name the policy file,
// as a *MalformedError does.
func Broken(err error) *Policy {
	return &Policy{broken: fmt.Sprintf("%v; no grants apply until it is fixed", err), err: err}
}

// Name returns the policy file's name as given to Load or Parse; "" for a
// policy from Broken.
func (p *Policy) Name() string { return p.name }

// Err returns why a Broken policy denies everything (a *MalformedError for
// a malformed file), or nil for a usable policy.
func (p *Policy) Err() error { return p.err }

// Rules returns the number of effective grants in the file: p lines that
// matter to gitwave, counting a line on resource "*" once per resource it
// covers. The built-in roles are not counted.
func (p *Policy) Rules() int { return p.fileRules }

// UndefinedRoles returns the warnings about roles used but never defined,
// in a g line or as the default role: each such line grants nothing,
// which a pull request comment points out. A Broken policy has none.
func (p *Policy) UndefinedRoles() []Problem { return slices.Clone(p.undefined) }

// newPolicy indexes the parsed lines of a file without errors.
func newPolicy(name string, ps *parser, opts Options) *Policy {
	p := &Policy{name: name, home: opts.Repo, rules: ps.rules, edges: ps.edges, grants: map[string]*ruleSet{}, spelling: ps.spelling, undefined: ps.undefined}
	direct := map[string][]int32{}
	// roleSeen holds the roles the file names: only those are suggested,
	// so that a denial does not send everyone to role:admin.
	roleSeen := map[string]bool{}
	for i, r := range ps.rules {
		direct[r.subject] = append(direct[r.subject], int32(i))
		if !isBuiltin(r.line) {
			p.fileRules++
			if isRole(r.subject) {
				roleSeen[r.subject] = true
			}
		}
	}
	parents := map[string][]string{}
	for _, e := range ps.edges {
		parents[e.member] = append(parents[e.member], e.role)
		if !isBuiltin(e.line) {
			roleSeen[e.role] = true
		}
	}
	for name := range ps.spelling {
		if rs := p.closure(name, direct, parents); rs != nil {
			p.grants[name] = rs
		}
	}
	if role, ok := foldName(opts.DefaultRole); ok {
		p.defaults = p.grants[role]
	}
	for role := range roleSeen {
		p.roles = append(p.roles, role)
	}
	slices.Sort(p.roles)
	p.indexSuggestions()
	p.indexGroupNames()
	p.restrict = restrictionsOf(p.rules)
	return p
}

// indexSuggestions fills all and heldBy.
func (p *Policy) indexSuggestions() {
	for i, r := range p.rules {
		k := slot(r.res, r.deny)
		p.all[k] = append(p.all[k], int32(i))
	}
	p.heldBy = make([][]string, len(p.rules))
	for _, role := range p.roles {
		rs := p.grants[role]
		if rs == nil {
			continue
		}
		for _, list := range rs {
			for _, i := range list {
				p.heldBy[i] = append(p.heldBy[i], role)
			}
		}
	}
}

// closure gathers the rules of name and of every role it inherits, following
// g lines breadth first; a cycle of roles is harmless. It returns nil when the
// closure holds no rule.
func (p *Policy) closure(name string, direct map[string][]int32, parents map[string][]string) *ruleSet {
	seen := map[string]bool{name: true}
	queue := []string{name}
	var rs ruleSet
	found := false
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, i := range direct[cur] {
			k := slot(p.rules[i].res, p.rules[i].deny)
			rs[k] = append(rs[k], i)
			found = true
		}
		for _, parent := range parents[cur] {
			if !seen[parent] {
				seen[parent] = true
				queue = append(queue, parent)
			}
		}
	}
	if !found {
		return nil
	}
	for k := range rs {
		slices.Sort(rs[k])
		rs[k] = slices.Compact(rs[k])
	}
	return &rs
}

// resolve returns the rules that apply to s: those of its login, of each of
// its groups and of the default role, with everything each inherits.
func (p *Policy) resolve(s Subject) *ruleSet {
	if len(s.Groups) < cacheMinGroups {
		return p.merge(s)
	}
	rs, key := p.cache.get(s)
	if rs == nil {
		rs = p.merge(s)
		p.cache.put(key, s, rs)
	}
	return rs
}

// merge gathers the rule sets of s and merges them.
func (p *Policy) merge(s Subject) *ruleSet {
	var found [8]*ruleSet
	sets := found[:0]
	if p.defaults != nil {
		sets = append(sets, p.defaults)
	}
	if login, ok := foldName(s.Login); ok {
		if rs := p.grants[login]; rs != nil {
			sets = append(sets, rs)
		}
	}
	for _, g := range s.Groups {
		if group, ok := foldName(g); ok {
			if rs := p.grants[group]; rs != nil {
				sets = append(sets, rs)
			}
		}
	}
	switch len(sets) {
	case 0:
		return &ruleSet{}
	case 1:
		return sets[0]
	}
	return p.union(sets)
}

// union merges rule sets through a bitmap over the rules: linear in their
// total size, and the result comes out in line order.
func (p *Policy) union(sets []*ruleSet) *ruleSet {
	seen := make([]uint64, (len(p.rules)+63)/64)
	var counts [len(ruleSet{})]int
	for _, rs := range sets {
		for k, list := range rs {
			for _, i := range list {
				if seen[i/64]&(1<<(i%64)) == 0 {
					seen[i/64] |= 1 << (i % 64)
					counts[k]++
				}
			}
		}
	}
	var merged ruleSet
	for k := range merged {
		merged[k] = make([]int32, 0, counts[k])
	}
	for w, word := range seen {
		for word != 0 {
			i := int32(w*64 + bits.TrailingZeros64(word))
			word &= word - 1
			k := slot(p.rules[i].res, p.rules[i].deny)
			merged[k] = append(merged[k], i)
		}
	}
	return &merged
}
