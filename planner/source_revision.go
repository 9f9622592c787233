package planner

import (
	"slices"
	"strings"
)

// SourceRevision is what one source of an app was read at: the
// targetRevision it names and the commit SHA (Git) or chart version
// (chart repositories) it resolved to when the app was rendered.
type SourceRevision struct {
	// RepoURL is the source's repoURL as the Application spells it ("" for
	// the served repository named by omission).
	RepoURL string `json:"repoURL,omitempty"`
	// Path is the source's path in a Git repository.
	Path string `json:"path,omitempty"`
	// Chart is the chart name of a chart repository source.
	Chart string `json:"chart,omitempty"`
	// Ref is the source's ref name, for $ref value files.
	Ref string `json:"ref,omitempty"`
	// TargetRevision is the branch, tag, SHA, version or range the source
	// names.
	TargetRevision string `json:"targetRevision,omitempty"`
	// Revision is the commit SHA or chart version it resolved to; empty
	// when the served tree has no known commit (a working tree).
	Revision string `json:"revision,omitempty"`
	// Digest is the chart archive's "sha256:…", for chart sources.
	Digest string `json:"digest,omitempty"`
	// Served is true when the source was read from the served repository
	// at the revision being planned.
	Served bool `json:"served,omitempty"`
}

// String reads "https://github.com/org/k8s-apps.git@v1.2.0 (3f2a9c1)", or
// "https://charts.jetstack.io cert-manager@v1.16.* (1.16.2)".
func (s SourceRevision) String() string {
	var b strings.Builder
	b.WriteString(firstNonEmpty(s.RepoURL, "(served repository)"))
	if s.Chart != "" {
		b.WriteString(" " + s.Chart)
	}
	b.WriteString("@" + revisionName(s.TargetRevision))
	if s.Revision != "" && s.Revision != s.TargetRevision {
		b.WriteString(" (" + shortRevision(s.Revision) + ")")
	}
	return b.String()
}

// shortRevision shortens a 40-hex commit SHA to 7 characters and leaves
// chart versions alone.
func shortRevision(rev string) string {
	if len(rev) == 40 && strings.Trim(strings.ToLower(rev), "0123456789abcdef") == "" {
		return rev[:7]
	}
	return rev
}

// foreignRevisions returns the sources read from other repositories or at
// other revisions than the served one, each once, sorted.
func foreignRevisions(revs []SourceRevision) []SourceRevision {
	var out []SourceRevision
	for _, r := range revs {
		if r.Served {
			continue
		}
		r.Path, r.Ref = "", ""
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b SourceRevision) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// OtherSources is the one line history records for a sync's sources: each
// repository and chart other than the served repository, once, sorted, as
// String spells it; "" when the app reads only the served repository.
func OtherSources(revs []SourceRevision) string {
	others := foreignRevisions(revs)
	parts := make([]string, len(others))
	for i, s := range others {
		parts[i] = s.String()
	}
	return strings.Join(parts, ", ")
}
