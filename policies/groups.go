package policies

import "slices"

// GroupNames lists the names a Git host should be asked about: every name
// the file gives grants to, directly or through a g line, that is not a role
// ("role:..."), as first spelled in the file, sorted. Logins, teams and
// groups share one namespace, as in Argo CD, so the list holds the logins the
// file names too; a host finds them to be no team. A bot asks for a user's
// membership in exactly these and hands the ones the user belongs to back in
// Subject.Groups, spelled as listed, so that a bare "order-team" and a
// qualified "acme/order-team" both match. A name that grants nothing (its
// only g line names an undefined role) is left out: its membership cannot
// change an answer. A Broken policy names none.
func (p *Policy) GroupNames() []string { return slices.Clone(p.groupNames) }

// indexGroupNames fills groupNames from grants.
func (p *Policy) indexGroupNames() {
	for folded := range p.grants {
		if !isRole(folded) {
			p.groupNames = append(p.groupNames, p.spelling[folded])
		}
	}
	slices.Sort(p.groupNames)
}
